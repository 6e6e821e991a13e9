/**
 * Entry point of the `pulumi-resource-fluvio-spu` plugin (bin/pulumi-resource-fluvio-spu): the
 * engine starts it and talks gRPC to it (`construct` for `fluvio-spu:index:SpuCluster`,
 * `GetSchema` for `pulumi package get-schema` and SDK generation).
 */
import * as pulumi from "@pulumi/pulumi";
import { fluvioSpuProvider } from "./provider";

void pulumi.provider.main(fluvioSpuProvider(), process.argv.slice(2));

/**
 * Component-test support: runs a Pulumi program under Pulumi's own mocks (the real SDK
 * runtime, no engine), with config loaded from the real stack files the way `pulumi up`
 * hands it to a program, and records every registered resource with its inputs, parent,
 * dependencies and resource options.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { readStackConfig } from "../../src/config/stack";

export const PROJECT_ROOT = new URL("../..", import.meta.url).pathname;

/** One resource the program registered. */
export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  parent: string;
  custom: boolean;
  /** Inputs as the provider would receive them (unknowns and secrets unwrapped). */
  inputs: Record<string, any>;
  /** Inputs exactly as the engine receives them: secrets still wrapped in their signature objects. */
  rawInputs: Record<string, unknown>;
  /** URNs this resource depends on (explicit `dependsOn` and the resources its inputs came from). */
  dependencies: string[];
  options: {
    deleteBeforeReplace: boolean;
    retainOnDelete: boolean;
    protect: boolean;
    ignoreChanges: string[];
    replaceOnChanges: string[];
    additionalSecretOutputs: string[];
    provider: string;
  };
}

/** One provider function the program called (an invoke), with its arguments. */
export interface RecordedInvoke {
  token: string;
  inputs: Record<string, any>;
}

/**
 * The gateway of Docker's default bridge in the mocked engine's answer to
 * `docker.getNetwork("bridge")` (the Docker target publishes on it for `host-gateway`).
 */
export const MOCK_BRIDGE_GATEWAY = "172.31.0.1";

export interface MockRun {
  resources: RecordedResource[];
  invokes: RecordedInvoke[];
  byType(type: string): RecordedResource[];
  one(type: string, name: string): RecordedResource;
}

let recorded: RecordedResource[] = [];
let invokes: RecordedInvoke[] = [];
let patched = false;

function patchMonitor(): void {
  if (patched) return;
  patched = true;
  const original = MockMonitor.prototype.registerResource;
  MockMonitor.prototype.registerResource = async function (this: any, req: any, callback: any) {
    const wrapped = (error: unknown, response: any) => {
      if (!error && response) {
        const entry = recorded.find((resource) => resource.urn === "" && resource.name === req.getName() && resource.type === req.getType());
        if (entry) entry.urn = response.getUrn();
      }
      callback(error, response);
    };
    recorded.push({
      type: req.getType(),
      name: req.getName(),
      urn: "",
      parent: req.getParent(),
      custom: req.getCustom(),
      inputs: {},
      rawInputs: req.getObject()?.toJavaScript() ?? {},
      dependencies: req.getDependenciesList(),
      options: {
        deleteBeforeReplace: req.getDeletebeforereplace(),
        retainOnDelete: req.getRetainondelete(),
        protect: req.getProtect(),
        ignoreChanges: req.getIgnorechangesList(),
        replaceOnChanges: req.getReplaceonchangesList(),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        provider: req.getProvider(),
      },
    });
    return original.call(this, req, wrapped);
  };
}

/**
 * The mocks: every resource gets an id and echoes its inputs as its state; invokes echo their
 * inputs, but for `docker.getNetwork`, which answers like an engine's bridge network.
 */
const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    const entry = [...recorded].reverse().find((resource) => resource.name === args.name && resource.type === args.type);
    if (entry) entry.inputs = args.inputs;
    return { id: `${args.name}-id`, state: { ...args.inputs, name: args.inputs.name ?? args.name } };
  },
  call(args) {
    invokes.push({ token: args.token, inputs: args.inputs });
    if (args.token === "docker:index/getNetwork:getNetwork") {
      return {
        id: `${args.inputs.name}-id`,
        name: args.inputs.name,
        driver: "bridge",
        internal: false,
        options: {},
        scope: "local",
        ipamConfigs: [{ subnet: "172.31.0.0/16", gateway: MOCK_BRIDGE_GATEWAY }],
      };
    }
    return args.inputs;
  },
};

/**
 * Runs `program` under mocks as stack `stack`, with config: the stack file's `config:` map
 * (as `pulumi up` passes it) when `stackFile` is true, plus `extraConfig`.
 */
export async function runUnderMocks<T>(options: {
  stack: string;
  program: () => T | Promise<T>;
  stackFile?: boolean;
  extraConfig?: Record<string, string>;
  preview?: boolean;
}): Promise<MockRun & { result: T }> {
  patchMonitor();
  recorded = [];
  invokes = [];
  const config = {
    ...(options.stackFile === false ? {} : readStackConfig(PROJECT_ROOT, options.stack)),
    ...(options.extraConfig ?? {}),
  };
  await pulumi.runtime.setMocks(mocks, "fluvio-spu", options.stack, options.preview ?? false);
  pulumi.runtime.setAllConfig(config);
  const result = await options.program();
  await settle();
  const resources = recorded;
  return {
    result,
    resources,
    invokes,
    byType: (type) => resources.filter((resource) => resource.type === type),
    one: (type, name) => {
      const found = resources.find((resource) => resource.type === type && resource.name === name);
      if (!found) throw new Error(`no ${type} named ${name}; have: ${resources.map((r) => `${r.type} ${r.name}`).join(", ")}`);
      return found;
    },
  };
}

/**
 * Runs, under mocks, a program whose declaration should be refused (`declare` throws), and
 * returns the run and what was thrown, so a test can check both the error and that nothing
 * was registered.
 */
export async function runRefused(options: { stack: string; stackFile?: boolean }, declare: () => unknown): Promise<{ run: MockRun; thrown: unknown }> {
  let thrown: unknown;
  const run = await runUnderMocks({
    ...options,
    program: () => {
      try {
        declare();
      } catch (error) {
        thrown = error;
      }
    },
  });
  return { run, thrown };
}

/** Resolves an output's value under mocks. */
export function valueOf<T>(output: pulumi.Output<T> | pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((value) => { resolve(value as T); return value; }));
}

/** Waits until no registration is still in flight. */
async function settle(): Promise<void> {
  let last = -1;
  for (let round = 0; round < 200 && last !== recorded.length; round++) {
    last = recorded.length;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // One more quiet period so that inputs of the last registrations arrive.
  await new Promise((resolve) => setTimeout(resolve, 20));
}

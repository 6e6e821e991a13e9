/**
 * fluvio-spu: a Fluvio cluster (one SC, N SPUs) with a deterministic, conflict-free port plan
 * per stack, deployed to Docker or Kubernetes. See README.md.
 */
export { ConfigError, isConfigError, HostError, isHostError, type ConfigIssue, type HostErrorKind } from "./errors";
export {
  parseClusterSpec,
  clusterJsonSchema,
  type ClusterSpec,
  type SpuSpec,
  type ScSpec,
  type LocalEndpointPolicy,
  type Target,
  type Strategy,
  type Encryption,
  type ServiceType,
  type DockerSpec,
  type KubernetesSpec,
  type TlsSpec,
  type MetricsSpec,
  type ImageSpec,
  type MonitoringSpec,
} from "./config/schema";
export { RANGE_PRESETS, DEFAULT_FIRST_SPU_ID, FLUVIO_VERSION, type Environment } from "./config/presets";
export { loadClusterSpec, loadRegistry, readClusterConfig, readStackConfig, CLUSTER_CONFIG_KEY } from "./config/stack";
export type { PortRange, PortRole } from "./ports/range";
export type { PortAssignment, PortSource, AllocationFailure, AllocationNotice } from "./ports/allocator";
export {
  parseRegistry,
  validateRegistry,
  formatRegistry,
  withRecord,
  findRecordOverlaps,
  type PortRegistry,
  type PortClaim,
  type StackRecord,
} from "./ports/registry";
export { WELL_KNOWN_OWNERS } from "./ports/well-known";
export { planCluster, type PlanContext } from "./plan/plan";
export { planContext, planStackFiles, readProjectName, type ClusterSource, type StackPlan } from "./context";
export { tlsMaterialIssues, type TlsMaterialPresence } from "./config/tls";
export { recordOf } from "./plan/record";
export type { ClusterPlan, ScPlan, SpuPlan, Endpoint, PlannedPort, DockerPlan, KubernetesPlan, TlsPlan, TlsFile } from "./plan/types";
export { prometheusRulesYaml, prometheusConfigYaml, type MonitoringPlan, type RuleGroup, type AlertRule, type PrometheusPlan } from "./plan/monitoring";
export { PLATFORM_ACCESS, detectPlatform, type HostAccessPlan, type HostFacts, type HostFactsAnswer, type ContainerPlatform } from "./plan/host-access";
export { askHostFacts } from "./preflight/host-facts";
export { checkPorts, formatConflicts, formatUnchecked, type PortCheckReport, type PortConflict, type PortHolder, type CheckPortsOptions, type UncheckedPorts } from "./preflight";
export { SpuCluster, SPU_CLUSTER_TYPE, type SpuClusterArgs, type DockerProviderLike } from "./component";
export { clientProfile, spuRows, scRow, type SpuRow, type ScRow } from "./plan/outputs";
export type {
  ClusterConfig,
  SpuConfig,
  LocalEndpointConfig,
  PortRangeConfig,
  PortRangesConfig,
  ScConfig,
  TlsConfig,
  MetricsConfig,
  ImagesConfig,
  DockerConfig,
  KubernetesConfig,
  MonitoringConfig,
} from "./config/types.generated";
export { renderCompose, renderKubernetes, renderStack, type RenderedStack } from "./render";
export { buildDockerSpecs, type DockerClusterSpec } from "./targets/docker/spec";
export { buildKubernetesObjects, type BuildOptions as KubernetesBuildOptions } from "./targets/kubernetes/build";
export { declareCluster } from "./program";

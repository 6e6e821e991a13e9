/**
 * Rendering: the targets' plain data as files (a Compose file, Kubernetes YAML) for users who
 * review or apply infrastructure without Pulumi. Reads only the targets' pure builders.
 */
export { renderCompose, composeFile, planImages, composePort, BRIDGE_GATEWAY_COMMAND, HOST_GATEWAY_VARIABLE, DEFAULT_BRIDGE_GATEWAY, COMPOSE_TLS_FILES, type ComposeFile, type ComposeService, type RenderComposeOptions } from "./compose";
export { renderKubernetes, renderedObjects, type RenderKubernetesOptions } from "./kubernetes";
export { renderStack, renderManifest, RENDERED_FILES, type RenderedStack } from "./stack";
export { recoverRenderedFolder, RENDER_WORK_DIR } from "./folder";

/** Assertions on ConfigErrors, shared by every test of bad input. */
import { expect } from "vitest";
import { ConfigError } from "../../src/errors";

/** The ConfigError a call throws (fails the test when it throws anything else, or nothing). */
export function configErrorOf(work: () => unknown): ConfigError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError, got none");
}

/** The message of the issue at `path` (fails the test when there is none). */
export function issueAt(error: ConfigError, path: string): string {
  const issue = error.issues.find((candidate) => candidate.path === path);
  expect(issue, `no issue at ${path}; issues: ${JSON.stringify(error.issues)}`).toBeDefined();
  return issue!.message;
}

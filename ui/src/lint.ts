// Lints the YAML as typed, on the server (POST .../lint-yaml, rampart's own route): the same
// YAML loader and validator as `rampart lint` and as submission, so what passes here is what
// the server accepts, and every problem comes back with its line.
import { enc, post } from './api';

export interface Problem {
  line?: number;
  path?: string;
  message: string;
}

export interface LintResult {
  problems: Problem[];
  workflow?: unknown; // the parsed workflow, when valid: what is submitted
}

export async function lintYaml(ns: string, yaml: string): Promise<LintResult> {
  const r = await post<{ valid: boolean; errors?: Problem[]; workflow?: unknown }>(`/api/v1/workflows/${enc(ns)}/lint-yaml`, { yaml });
  return { problems: (r.errors ?? []).map((p) => ({ ...p, line: p.line || undefined })), workflow: r.valid ? r.workflow : undefined };
}

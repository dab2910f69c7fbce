// The parts of Argo's objects the dashboard reads (see Argo's swagger for the full shapes).

export type Role = 'viewer' | 'submitter' | 'author' | 'admin';

export interface Session {
  subject: string;
  roles: Record<string, Role>; // namespace ("*" = every namespace) -> role
}

export interface UserInfo {
  subject: string;
  roles?: Record<string, Role>;
}

export interface Parameter {
  name: string;
  value?: string;
  default?: string;
  description?: string;
  enum?: string[];
  valueFrom?: unknown;
}

export interface Artifact {
  name: string;
  path?: string;
}

export interface IO {
  parameters?: Parameter[];
  artifacts?: Artifact[];
  result?: string;
  exitCode?: string;
}

export interface NodeStatus {
  id: string;
  name: string;
  displayName: string;
  type: string; // Pod, Steps, StepGroup, DAG, TaskGroup, Retry, Skipped, Suspend, Container, ...
  templateName?: string;
  phase?: string;
  boundaryID?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  progress?: string;
  children?: string[];
  outboundNodes?: string[];
  inputs?: IO;
  outputs?: IO;
  podName?: string;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  creationTimestamp?: string;
  generateName?: string;
}

export interface Workflow {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: any;
  status?: {
    phase?: string;
    startedAt?: string;
    finishedAt?: string;
    message?: string;
    progress?: string;
    nodes?: Record<string, NodeStatus>;
  };
}

export interface List<T> {
  metadata?: { continue?: string };
  items?: T[] | null;
}

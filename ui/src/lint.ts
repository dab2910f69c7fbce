// Finds where in the YAML a problem is: parse errors carry their position; the server's lint
// messages name a field path ("spec.templates[1].container.image: ..."), which is looked up in
// the parsed document.
import { LineCounter, parseDocument, isNode } from 'yaml';

export interface Problem {
  line?: number;
  message: string;
}

export interface Parsed {
  object?: any;
  problems: Problem[];
  locate: (path: string) => number | undefined;
}

export function parseYaml(text: string): Parsed {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problems: Problem[] = doc.errors.map((e) => ({ line: e.linePos?.[0]?.line, message: e.message.split('\n')[0] }));
  const locate = (path: string): number | undefined => {
    const keys: (string | number)[] = [];
    for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) keys.push(m[2] !== undefined ? Number(m[2]) : m[1]);
    // The deepest part of the path that exists in the document.
    for (let n = keys.length; n > 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true);
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  if (problems.length) return { problems, locate };
  const object = doc.toJS();
  if (!object || typeof object !== 'object') return { problems: [{ line: 1, message: 'expected a Workflow object' }], locate };
  if (object.kind && object.kind !== 'Workflow') problems.push({ line: 1, message: `kind is ${object.kind}; only a Workflow can be submitted here` });
  return { object, problems, locate };
}

// The server joins several problems with "; " or newlines, each "path: message".
export function serverProblems(message: string, locate: (path: string) => number | undefined): Problem[] {
  const parts = message.split(/\n|;\s+(?=[a-z]+[\w.[\]]*:\s)/).map((s) => s.trim()).filter(Boolean);
  return parts.map((raw) => {
    // "workflow:16:27: " points into the JSON the server was sent, not into this YAML.
    const p = raw.replace(/^workflow:\d+:\d+:\s*/, '');
    const m = /^((?:spec|metadata)[\w.[\]-]*):\s*(.*)$/.exec(p) ?? /((?:spec|metadata)\.[\w.[\]-]+)/.exec(p);
    return { line: m ? locate(m[1]) : undefined, message: p };
  });
}

// A node's log, followed live while the workflow runs (the server ends the stream when it is
// done). Lines come through the server, which masks secret values before they leave it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { enc, streamLines } from '../api';

interface Props {
  ns: string;
  workflow: string;
  node: string;
  follow: boolean;
}

const MAX_LINES = 5000;

export function LogView({ ns, workflow, node, follow }: Props) {
  const [lines, setLines] = useState<string[]>([]);
  const [state, setState] = useState<'loading' | 'following' | 'done' | 'error'>('loading');
  const [error, setError] = useState('');
  const pre = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const abort = new AbortController();
    setLines([]);
    setError('');
    setState(follow ? 'following' : 'loading');
    const url = `/api/v1/workflows/${enc(ns)}/${enc(workflow)}/log?podName=${enc(node)}&logOptions.follow=${follow}`;
    let batch: string[] = [];
    let timer = 0;
    const flush = () => {
      timer = 0;
      const add = batch;
      batch = [];
      setLines((old) => old.concat(add).slice(-MAX_LINES));
    };
    streamLines(url, abort.signal, (v) => {
      batch.push(String(v?.result?.content ?? ''));
      if (!timer) timer = window.setTimeout(flush, 100);
    })
      .then(() => {
        flush();
        setState('done');
      })
      .catch((e) => {
        if (abort.signal.aborted) return;
        setError(e.message ?? String(e));
        setState('error');
      });
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [ns, workflow, node, follow]);

  useEffect(() => {
    if (pre.current && state === 'following') pre.current.scrollTop = pre.current.scrollHeight;
  }, [lines, state]);

  return (
    <section class="logs" aria-label="Logs">
      <h3>
        Logs <span class="muted" data-log-state={state}>{state === 'following' ? '(following live)' : state === 'done' ? '' : state === 'loading' ? '(loading)' : ''}</span>
      </h3>
      {error && <p class="error" role="alert">Could not load the log: {error}</p>}
      <pre ref={pre} class="log-text" tabIndex={0} aria-live={state === 'following' ? 'polite' : 'off'}>
        {lines.length ? lines.join('\n') : state === 'done' ? '(no output)' : ''}
      </pre>
    </section>
  );
}

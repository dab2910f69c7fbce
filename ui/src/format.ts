// Times and durations as people read them.

export function ms(t?: string): number | undefined {
  if (!t) return undefined;
  const v = Date.parse(t);
  return Number.isNaN(v) ? undefined : v;
}

export function duration(milliseconds: number): string {
  const s = Math.max(0, Math.round(milliseconds / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${m % 60}m`;
}

export function durationBetween(start?: string, end?: string): string {
  const a = ms(start);
  if (a === undefined) return '';
  return duration((ms(end) ?? Date.now()) - a);
}

export function ago(t?: string): string {
  const v = ms(t);
  if (v === undefined) return '';
  return `${duration(Date.now() - v)} ago`;
}

export function localTime(t?: string): string {
  const v = ms(t);
  return v === undefined ? '' : new Date(v).toLocaleString();
}

export const finished = (phase?: string) => phase === 'Succeeded' || phase === 'Failed' || phase === 'Error';

// "n/m" from Argo's progress, or counted from the pod nodes when the server sent none.
export function progress(wf: { status?: { progress?: string; nodes?: Record<string, { type: string; phase?: string }> } }): string {
  if (wf.status?.progress) return wf.status.progress;
  const pods = Object.values(wf.status?.nodes ?? {}).filter((n) => n.type === 'Pod');
  if (!pods.length) return '';
  return `${pods.filter((n) => finished(n.phase)).length}/${pods.length}`;
}

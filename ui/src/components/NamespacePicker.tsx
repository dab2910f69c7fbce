// The namespaces the subject has a role in; with a role in "*", any name can be typed.
import { navigate } from '../router';
import { namespaces } from '../roles';
import type { Session } from '../types';

interface Props {
  session: Session;
  ns: string;
  to: (ns: string) => string;
}

export function NamespacePicker({ session, ns, to }: Props) {
  const known = namespaces(session);
  if (!known.includes(ns)) known.push(ns);
  const any = !!session.roles['*'];
  return (
    <form
      class="ns-picker"
      onSubmit={(e) => {
        e.preventDefault();
        const v = ((e.currentTarget as HTMLFormElement).elements.namedItem('ns') as HTMLInputElement).value.trim();
        if (v) navigate(to(v));
      }}
    >
      <label for="ns">Namespace</label>
      {any ? (
        <>
          <input id="ns" name="ns" list="ns-list" defaultValue={ns} key={ns} size={14} />
          <datalist id="ns-list">{known.map((n) => <option value={n} key={n} />)}</datalist>
          <button type="submit">Go</button>
        </>
      ) : (
        <select id="ns" name="ns" value={ns} onChange={(e) => navigate(to((e.target as HTMLSelectElement).value))}>
          {known.map((n) => <option value={n} key={n}>{n}</option>)}
        </select>
      )}
    </form>
  );
}

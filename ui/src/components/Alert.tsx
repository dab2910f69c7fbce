// API errors are shown as the server worded them, where the user is looking.
export function ErrorMessage({ error }: { error?: unknown }) {
  if (!error) return null;
  const text = error instanceof Error ? error.message : String(error);
  return <p class="error" role="alert">{text}</p>;
}

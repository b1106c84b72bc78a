/**
 * Several sorted streams as one, smallest first (ties: the earlier stream), holding one item per
 * stream: several servers' logs by time, a partition's bucket files and `--decisions` parts by
 * their place in the log. A linear scan: the streams are a handful.
 */
export async function* mergeSorted<T>(streams: ReadonlyArray<AsyncIterator<T>>, order: (item: T) => number): AsyncGenerator<T> {
  const heads: Array<T | undefined> = await Promise.all(streams.map(async (s) => (await s.next()).value as T | undefined));
  const done = heads.map((h) => h === undefined);
  for (;;) {
    let next = -1;
    for (let i = 0; i < heads.length; i++) if (!done[i] && (next === -1 || order(heads[i] as T) < order(heads[next] as T))) next = i;
    if (next === -1) return;
    yield heads[next] as T;
    const step = await (streams[next] as AsyncIterator<T>).next();
    heads[next] = step.done ? undefined : step.value;
    done[next] = step.done === true;
  }
}

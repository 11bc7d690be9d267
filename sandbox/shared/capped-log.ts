/** Appends to a log, dropping the oldest entries beyond `cap`. */
export function pushCapped<T>(log: T[], entry: T, cap: number): void {
  log.push(entry);
  if (log.length > cap) log.splice(0, log.length - cap);
}

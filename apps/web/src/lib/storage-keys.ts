/** Every key of a Storage, read before any is removed (removing shifts the indexes). */
export function storageKeys(storage: Storage): string[] {
  const keys: string[] = [];
  try {
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (key !== null) keys.push(key);
    }
  } catch {
    // Denied storage: no keys to read.
  }
  return keys;
}

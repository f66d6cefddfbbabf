/**
 * Whether a process of this machine is alive: signal 0 checks without sending anything. EPERM
 * means it lives but belongs to another user; only ESRCH means it is gone.
 *
 * @example processAlive(Number(lease.pid)) // false once that skiff process has exited
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

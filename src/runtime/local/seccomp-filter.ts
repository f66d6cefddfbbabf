import { X86_64_SYSCALLS } from './syscall-numbers.js';

/**
 * The system calls a step may make, modelled on the default profile of the container runtimes
 * (what Kubernetes calls RuntimeDefault), minus what only a privileged container gets there and a
 * little more: no ptrace, process_vm_readv/writev (a step has no business inspecting another
 * process) and no io_uring (its calls bypass this filter's view of file and network operations).
 * Never here: mount, umount2, unshare, setns, keyctl, add_key, request_key, bpf, perf_event_open,
 * open_by_handle_at, reboot, the module calls, kexec, swapon, chroot, pivot_root, acct, quotactl,
 * userfaultfd, the clock setters. `clone`, `socket` and `personality` are allowed only with
 * the arguments checked below.
 */
export const ALLOWED_SYSCALLS: readonly string[] = `
  accept accept4 access adjtimex alarm arch_prctl bind brk capget capset chdir chmod chown
  clock_adjtime clock_getres clock_gettime clock_nanosleep close close_range connect copy_file_range
  creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2
  epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2
  fadvise64 fallocate fanotify_mark fchdir fchmod fchmodat fchown fchownat fcntl fdatasync fgetxattr
  flistxattr flock fork fremovexattr fsetxattr fstat fstatfs fsync ftruncate futex futex_waitv
  futimesat getcpu getcwd getdents getdents64 getegid geteuid getgid getgroups getitimer getpeername
  getpgid getpgrp getpid getppid getpriority getrandom getresgid getresuid getrlimit get_robust_list
  getrusage getsid getsockname getsockopt get_thread_area gettid gettimeofday getuid getxattr
  inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy
  io_getevents io_pgetevents ioprio_get ioprio_set io_setup io_submit kill landlock_add_rule
  landlock_create_ruleset landlock_restrict_self lchown lgetxattr link linkat listen listxattr
  llistxattr lremovexattr lseek lsetxattr lstat madvise membarrier memfd_create memfd_secret mincore
  mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap modify_ldt mprotect mq_getsetattr mq_notify
  mq_open mq_timedreceive mq_timedsend mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock
  munlockall munmap name_to_handle_at nanosleep newfstatat open openat openat2 pause pidfd_open
  pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll prctl pread64 preadv
  preadv2 prlimit64 process_mrelease pselect6 pwrite64 pwritev pwritev2 read readahead readlink
  readlinkat readv recvfrom recvmmsg recvmsg remap_file_pages removexattr rename renameat renameat2
  restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn
  rt_sigsuspend rt_sigtimedwait rt_tgsigqueueinfo sched_getaffinity sched_getattr sched_getparam
  sched_get_priority_max sched_get_priority_min sched_getscheduler sched_rr_get_interval
  sched_setaffinity sched_setattr sched_setparam sched_setscheduler sched_yield seccomp select semctl
  semget semop semtimedop sendfile sendmmsg sendmsg sendto setfsgid setfsuid setgid setgroups
  setitimer setpgid setpriority setregid setresgid setresuid setreuid setrlimit set_robust_list setsid
  setsockopt set_thread_area set_tid_address setuid setxattr shmat shmctl shmdt shmget shutdown
  sigaltstack signalfd signalfd4 socketpair splice stat statfs statx symlink symlinkat sync
  sync_file_range syncfs sysinfo tee tgkill time timer_create timer_delete timer_getoverrun
  timer_gettime timer_settime timerfd_create timerfd_gettime timerfd_settime times tkill truncate
  umask uname unlink unlinkat utime utimensat utimes vfork vmsplice wait4 waitid write writev
`
  .trim()
  .split(/\s+/);

const AUDIT_ARCH_X86_64 = 0xc000003e;
/** x32 system calls are x86_64 numbers with this bit set: a second table the filter would not see. */
const X32_SYSCALL_BIT = 0x40000000;
/** Every CLONE_NEW* flag (and CLONE_NEWTIME, 0x80): a clone that makes any namespace is refused. */
const CLONE_NAMESPACE_FLAGS = 0x7e020080;
const AF_VSOCK = 40;
/** personality(2) values that only select a standard execution domain (PER_LINUX, PER_LINUX32, UNAME26 variants, a query). */
const HARMLESS_PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];
const EPERM = 1;
const ENOSYS = 38;

// Classic BPF, as seccomp runs it over struct seccomp_data { u32 nr; u32 arch; u64 ip; u64 args[6]; }.
const LD_ABS_W = 0x20;
const JEQ = 0x15;
const JGE = 0x35;
const JSET = 0x45;
const JA = 0x05;
const RET = 0x06;
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;
const OFFSET_ARG0_LOW = 16; // little-endian: the low 32 bits of args[0]
const RET_ALLOW = 0x7fff0000;
const RET_KILL_PROCESS = 0x80000000;
const retErrno = (errno: number): number => 0x00050000 | errno;

interface Instruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const op = (code: number, k: number, jt = 0, jf = 0): Instruction => ({ code, jt, jf, k });

/** Why no filter can be built for this machine, or undefined when it can. */
export function seccompUnsupportedReason(arch: string = process.arch): string | undefined {
  return arch === 'x64' ? undefined : `the local runtime's seccomp filter is built for x86_64 only; this machine is ${arch}, so it runs no sandboxed steps`;
}

/**
 * The seccomp program bubblewrap loads (`--seccomp FD`) before it starts a step: an array of
 * struct sock_filter, 8 bytes each. Another architecture's calls kill the process (their numbers
 * mean other calls); x32 calls, calls outside the allowlist, a clone asking for a namespace, a
 * vsock socket and an unusual personality fail with EPERM; clone3 fails with ENOSYS, so that libc
 * falls back to clone, whose flags the filter can see (clone3 passes them in memory).
 *
 * @example writeSync(fd, buildSeccompFilter());
 */
export function buildSeccompFilter(allowed: readonly string[] = ALLOWED_SYSCALLS, table: Readonly<Record<string, number>> = X86_64_SYSCALLS): Buffer {
  const nr = (name: string): number => {
    const number = table[name];
    if (number === undefined) throw new Error(`no system call named ${name}`);
    return number;
  };
  const program: Instruction[] = [
    op(LD_ABS_W, OFFSET_ARCH),
    op(JEQ, AUDIT_ARCH_X86_64, 1, 0),
    op(RET, RET_KILL_PROCESS),
    op(LD_ABS_W, OFFSET_NR),
    op(JGE, X32_SYSCALL_BIT, 0, 1),
    op(RET, retErrno(EPERM)),
    op(JEQ, nr('clone3'), 0, 1),
    op(RET, retErrno(ENOSYS)),
    // clone: allowed unless a namespace flag is set.
    op(JEQ, nr('clone'), 0, 4),
    op(LD_ABS_W, OFFSET_ARG0_LOW),
    op(JSET, CLONE_NAMESPACE_FLAGS, 0, 1),
    op(RET, retErrno(EPERM)),
    op(RET, RET_ALLOW),
    // socket: any family but vsock (a way out to the host's hypervisor services).
    op(JEQ, nr('socket'), 0, 4),
    op(LD_ABS_W, OFFSET_ARG0_LOW),
    op(JEQ, AF_VSOCK, 0, 1),
    op(RET, retErrno(EPERM)),
    op(RET, RET_ALLOW),
    // personality: only the harmless values.
    op(JEQ, nr('personality'), 0, HARMLESS_PERSONALITIES.length + 3),
    op(LD_ABS_W, OFFSET_ARG0_LOW),
    ...HARMLESS_PERSONALITIES.map((value, i) => op(JEQ, value, HARMLESS_PERSONALITIES.length - i, 0)),
    op(RET, retErrno(EPERM)),
    op(RET, RET_ALLOW),
    ...lookup([...new Set(allowed.map(nr))].sort((a, b) => a - b)),
  ];
  const buffer = Buffer.alloc(program.length * 8);
  program.forEach((instruction, i) => {
    buffer.writeUInt16LE(instruction.code, i * 8);
    buffer.writeUInt8(instruction.jt, i * 8 + 2);
    buffer.writeUInt8(instruction.jf, i * 8 + 3);
    buffer.writeUInt32LE(instruction.k >>> 0, i * 8 + 4);
  });
  return buffer;
}

/**
 * A binary search over the sorted allowed numbers (the accumulator holds the call's number):
 * a few comparisons per call instead of hundreds. A branch's jumps may be longer than the 255
 * instructions a conditional jump reaches, so each split jumps through an unconditional `ja`.
 */
function lookup(sorted: number[]): Instruction[] {
  if (sorted.length <= 6) {
    return [...sorted.flatMap((n) => [op(JEQ, n, 0, 1), op(RET, RET_ALLOW)]), op(RET, retErrno(EPERM))];
  }
  const middle = Math.floor(sorted.length / 2);
  const below = lookup(sorted.slice(0, middle));
  const above = lookup(sorted.slice(middle));
  return [op(JGE, sorted[middle]!, 0, 1), op(JA, below.length), ...below, ...above];
}

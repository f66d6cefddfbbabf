import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ALLOWED_SYSCALLS, buildSeccompFilter, seccompUnsupportedReason } from '../../../src/runtime/local/seccomp-filter.js';
import { X86_64_SYSCALLS } from '../../../src/runtime/local/syscall-numbers.js';

const HEADER = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';

/** The filter as instructions, for reading it back. */
function decode(filter: Buffer): Array<{ code: number; jt: number; jf: number; k: number }> {
  return Array.from({ length: filter.length / 8 }, (_, i) => ({
    code: filter.readUInt16LE(i * 8),
    jt: filter[i * 8 + 2]!,
    jf: filter[i * 8 + 3]!,
    k: filter.readUInt32LE(i * 8 + 4),
  }));
}

/** Runs the filter as the kernel would, for one call: the action it returns. */
function verdict(filter: Buffer, nr: number, arg0 = 0, arch = 0xc000003e): number {
  const program = decode(filter);
  const data = (offset: number): number => (offset === 0 ? nr : offset === 4 ? arch : offset === 16 ? arg0 : 0);
  let a = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const { code, jt, jf, k } = program[pc]!;
    if (code === 0x20) a = data(k);
    else if (code === 0x06) return k;
    else if (code === 0x05) pc += k;
    else if (code === 0x15) pc += a === k ? jt : jf;
    else if (code === 0x35) pc += a >= k ? jt : jf;
    else if (code === 0x45) pc += (a & k) !== 0 ? jt : jf;
    else throw new Error(`unknown instruction ${code}`);
  }
  throw new Error('fell off the end of the filter');
}

const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const ENOSYS = 0x00050026;

describe('seccomp filter', () => {
  it('has the system call numbers of the kernel headers', { skip: !existsSync(HEADER) && 'no kernel headers here' }, () => {
    const fromHeader = Object.fromEntries([...readFileSync(HEADER, 'utf8').matchAll(/^#define __NR_(\w+) (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
    assert.deepEqual(X86_64_SYSCALLS, fromHeader);
  });

  it('allows exactly the allowlist, refuses everything else with EPERM', () => {
    const filter = buildSeccompFilter();
    const allowed = new Set(ALLOWED_SYSCALLS.map((name) => X86_64_SYSCALLS[name]));
    for (const [name, nr] of Object.entries(X86_64_SYSCALLS)) {
      if (['clone', 'clone3', 'socket', 'personality'].includes(name)) continue;
      assert.equal(verdict(filter, nr), allowed.has(nr) ? ALLOW : EPERM, name);
    }
    for (const name of [
      'mount',
      'umount2',
      'unshare',
      'setns',
      'ptrace',
      'keyctl',
      'add_key',
      'open_by_handle_at',
      'bpf',
      'io_uring_setup',
      'init_module',
      'kexec_load',
    ]) {
      assert.equal(verdict(filter, X86_64_SYSCALLS[name]!), EPERM, name);
    }
  });

  it('refuses a clone that makes a namespace, sends clone3 back to clone, and refuses x32 and other architectures', () => {
    const filter = buildSeccompFilter();
    const clone = X86_64_SYSCALLS.clone!;
    assert.equal(verdict(filter, clone, 0x01200011), ALLOW); // fork: CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD
    assert.equal(verdict(filter, clone, 0x003d0f00), ALLOW); // a thread
    assert.equal(verdict(filter, clone, 0x10000000 | 0x11), EPERM); // CLONE_NEWUSER
    assert.equal(verdict(filter, clone, 0x40000000 | 0x11), EPERM); // CLONE_NEWNET
    assert.equal(verdict(filter, X86_64_SYSCALLS.clone3!), ENOSYS);
    assert.equal(verdict(filter, 0x40000000 | X86_64_SYSCALLS.read!), EPERM);
    assert.equal(verdict(filter, X86_64_SYSCALLS.read!, 0, 0x40000003), 0x80000000); // i386
    assert.equal(verdict(filter, X86_64_SYSCALLS.socket!, 2), ALLOW);
    assert.equal(verdict(filter, X86_64_SYSCALLS.socket!, 40), EPERM); // AF_VSOCK
    assert.equal(verdict(filter, X86_64_SYSCALLS.personality!, 0xffffffff), ALLOW);
    assert.equal(verdict(filter, X86_64_SYSCALLS.personality!, 0x0040000), EPERM); // ADDR_NO_RANDOMIZE
  });

  it('says it cannot run on another architecture', () => {
    assert.equal(seccompUnsupportedReason('x64'), undefined);
    assert.match(seccompUnsupportedReason('arm64') ?? '', /x86_64 only.*arm64/);
  });
});

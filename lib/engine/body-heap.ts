/**
 * A chunk malloc serves from mmap, never touched (so the kernel maps no page of it), and just
 * under the 32 MiB up to which glibc (64-bit) lets a freed mmapped chunk raise its thresholds.
 */
const RAISER_BYTES = 31 * 1024 * 1024;

let raised = false;

/**
 * Called when frames of 16 KiB and up start to arrive: they are read into 1 MiB slabs or, past
 * 256 KiB, bodies of their own, each malloc'd and freed by the garbage collector many at a
 * time. glibc gives the freed top of its heap back to the kernel as soon as it exceeds the
 * trim threshold, which is twice the mmap threshold, which glibc raises to the size of the
 * largest mmapped chunk freed so far: after 1 MiB bodies, about 2 MiB. So most of what each
 * collection freed went back, and the next reads faulted it in again a page at a time (1 MiB
 * over ipc: 10–70 faults per message, each ~12 µs of kernel time here, most of the receiver's
 * CPU; 64 KiB: 1–3 per message). Allocating and dropping one chunk of RAISER_BYTES, once per
 * process, is what any program that once held a 31 MiB buffer does to glibc: from its free
 * on, chunks up to 31 MiB come from the heap and up to 62 MiB of freed heap stays mapped for
 * reuse (the bound on what this keeps). Other allocators ignore it: one untouched mapping.
 */
export function keepFreedBodyMemory(): void {
  if (raised) return;
  raised = true;
  try {
    Buffer.allocUnsafeSlow(RAISER_BYTES);
  } catch {
    // Address space capped (ulimit -v, strict overcommit): glibc keeps its own thresholds.
  }
}

/** True once keepFreedBodyMemory has run in this process. */
export function freedBodyMemoryKept(): boolean {
  return raised;
}

/* Test payload for the rseq fix-up of a dump: almost all of its time is spent inside one
 * restartable sequence registered in glibc's rseq area. Each section runs a 64-bit LCG
 * SPINS times from the section's number and commits the result with its last store; the
 * kernel sends a preempted section to the abort handler, which makes cs_run return 1 and
 * the caller run the section again from the start. The output depends only on the
 * arguments: the first line the section's addresses, then a running total, then whether
 * rseq is still registered (a second rseq() with the same area, length and signature fails
 * with EBUSY then; another area or length gives EINVAL, another signature EPERM, none 0).
 * Standard error gets one line per abort, naming the section (its number is in rsi while
 * the section runs), so a test sees which section the task restarted after a restore.
 * With the argument "pause" or "bad-signature" it sleeps in a section instead (below). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>

_Static_assert(RSEQ_SIG == 0x53053053, "the abort signature below is x86_64's");

/* int cs_run(struct rseq *area, uint64_t seed, uint64_t spins, uint64_t *out) */
__asm__(
    ".text\n"
    ".globl cs_run\n"
    ".type cs_run, @function\n"
    "cs_run:\n"
    "  movabsq $6364136223846793005, %r9\n"
    "  movabsq $1442695040888963407, %r10\n"
    "  leaq cs_descriptor(%rip), %rax\n"
    "  movq %rax, 8(%rdi)\n" /* area->rseq_cs: the section is armed */
    ".globl cs_start\n"
    "cs_start:\n"
    "  movq %rsi, %rax\n"
    "  movq %rdx, %r8\n"
    "1:\n"
    "  imulq %r9, %rax\n"
    "  addq %r10, %rax\n"
    "  decq %r8\n"
    "  jnz 1b\n"
    "  movq %rax, (%rcx)\n" /* the commit: the section's last instruction */
    ".globl cs_end\n"
    "cs_end:\n"
    "  xorl %eax, %eax\n"
    "  ret\n"
    "  .long 0x53053053\n" /* RSEQ_SIG, right before the abort handler */
    ".globl cs_abort\n"
    "cs_abort:\n"
    "  movl $1, %eax\n"
    "  ret\n"
    ".size cs_run, . - cs_run\n"
    ".data\n"
    ".balign 32\n"
    "cs_descriptor:\n"
    "  .long 0, 0\n" /* version, flags */
    "  .quad cs_start, cs_end - cs_start, cs_abort\n"
    ".text\n");

/* int cs_pause(struct rseq *area, char *descriptor): arms the descriptor, then waits in
 * pause() inside its section, and returns 1 when the task reaches its abort handler. A
 * task asleep in a call inside a section (which the rseq ABI forbids) is left alone by the
 * kernel until a signal wakes it: then the kernel steps back to restart the call and, as
 * the task was scheduled out inside the section, sends it to the abort handler instead
 * (pause_abort, mode "pause"), or kills it with SIGSEGV if the handler follows another
 * signature than the registered one (bad_abort, mode "bad-signature"). */
_Static_assert(SYS_pause == 34, "the pause number below is x86_64's");
__asm__(
    ".text\n"
    ".globl cs_pause\n"
    ".type cs_pause, @function\n"
    "cs_pause:\n"
    "  movq %rsi, 8(%rdi)\n"
    ".globl pause_start\n"
    "pause_start:\n"
    "  movl $34, %eax\n"
    "  syscall\n"
    "  jmp pause_start\n"
    ".globl pause_end\n"
    "pause_end:\n"
    "  ud2\n"
    "  .long 0x12345678\n" /* not RSEQ_SIG */
    ".globl bad_abort\n"
    "bad_abort:\n"
    "  ud2\n"
    "  .long 0x53053053\n"
    ".globl pause_abort\n"
    "pause_abort:\n"
    "  movl $1, %eax\n"
    "  ret\n"
    ".size cs_pause, . - cs_pause\n"
    ".data\n"
    ".balign 32\n"
    ".globl bad_descriptor\n"
    "bad_descriptor:\n"
    "  .long 0, 0\n"
    "  .quad pause_start, pause_end - pause_start, bad_abort\n"
    ".balign 32\n"
    ".globl pause_descriptor\n"
    "pause_descriptor:\n"
    "  .long 0, 0\n"
    "  .quad pause_start, pause_end - pause_start, pause_abort\n"
    ".text\n");

int cs_run(struct rseq *area, uint64_t seed, uint64_t spins, uint64_t *out);
int cs_pause(struct rseq *area, char *descriptor);
extern char cs_start[], cs_end[], cs_abort[], pause_start[], pause_end[], pause_abort[], bad_abort[];
extern char pause_descriptor[], bad_descriptor[];

int main(int argc, char **argv) {
    long sections = argc > 1 ? atol(argv[1]) : 4000;
    uint64_t spins = argc > 2 ? strtoull(argv[2], NULL, 10) : 300000;
    if (__rseq_size == 0) {
        fprintf(stderr, "glibc did not register rseq\n");
        return 3;
    }
    struct rseq *area = (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
    if (argc > 1 && (!strcmp(argv[1], "pause") || !strcmp(argv[1], "bad-signature"))) {
        int bad = !strcmp(argv[1], "bad-signature");
        printf("start %p end %p abort %p descriptor %p\n", (void *)pause_start, (void *)pause_end,
               (void *)(bad ? bad_abort : pause_abort), (void *)(bad ? bad_descriptor : pause_descriptor));
        fflush(stdout);
        int aborted = cs_pause(area, bad ? bad_descriptor : pause_descriptor);
        printf("left pause() through the abort handler: %d\n", aborted);
        return 0;
    }
    printf("start %p end %p abort %p\n", (void *)cs_start, (void *)cs_end, (void *)cs_abort);
    fflush(stdout);
    uint64_t total = 0, aborts = 0;
    for (long section = 1; section <= sections; section++) {
        uint64_t x;
        while (cs_run(area, (uint64_t)section, spins, &x)) {
            aborts++;
            fprintf(stderr, "abort in section %ld\n", section);
        }
        total = total * 31 + x;
        if (section % 200 == 0) {
            printf("section %ld total %016llx\n", section, (unsigned long long)total);
            fflush(stdout);
        }
    }
    /* glibc registered 32 bytes; the kernel refuses a second registration of the same area
     * with EBUSY, and registers a task that has none (then it would return 0). */
    long again = syscall(SYS_rseq, area, 32, 0, RSEQ_SIG);
    printf("rseq again: %s\n", again == 0 ? "registered now (it was not)" : strerrorname_np(errno));
    fprintf(stderr, "aborts %llu\n", (unsigned long long)aborts);
    return 0;
}

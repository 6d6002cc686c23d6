/* Test payload for credentials: raises CAP_NET_BIND_SERVICE into its inheritable and
 * ambient sets, then sets SECBIT_NOROOT, SECBIT_KEEP_CAPS and SECBIT_NO_CAP_AMBIENT_RAISE,
 * all locked (a restore must raise the ambient set before it sets them), and the
 * supplementary groups 5 and 7, then (mode "user") becomes uid and gid 1000, which the
 * locked KEEP_CAPS lets it do while keeping its permitted capabilities (the effective and
 * ambient sets are cleared). Then, every 50 ms, one line with its securebits, ids, groups
 * and capability sets: output that depends only on the round, so a restored run must
 * print what an uninterrupted one does. */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 40;
    int user = argc > 2 && !strcmp(argv[2], "user");
    struct __user_cap_header_struct own = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct sets[2];
    if (syscall(SYS_capget, &own, sets) != 0) return 8;
    sets[0].inheritable |= 1u << CAP_NET_BIND_SERVICE;
    if (syscall(SYS_capset, &own, sets) != 0) return 9;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0) != 0) return 10;
    int bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_KEEP_CAPS | SECBIT_KEEP_CAPS_LOCKED
            | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) != 0) return 3;
    gid_t supplementary[] = {5, 7};
    if (setgroups(2, supplementary) != 0) return 6;
    if (user && (setresgid(1000, 1000, 1000) != 0 || setresuid(1000, 1000, 1000) != 0)) return 4;
    for (long round = 1; round <= rounds; round++) {
        struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct data[2];
        if (syscall(SYS_capget, &header, data) != 0) return 5;
        uid_t r, e, s;
        gid_t gr, ge, gs;
        getresuid(&r, &e, &s);
        getresgid(&gr, &ge, &gs);
        gid_t groups[32];
        int count = getgroups(32, groups);
        unsigned long long ambient = 0;
        for (int cap = 0; cap < 64; cap++) {
            if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1) ambient |= 1ull << cap;
        }
        char list[32 * 12] = "";
        for (int i = 0; i < count; i++) {
            snprintf(list + strlen(list), sizeof list - strlen(list), i ? ",%u" : "%u", groups[i]);
        }
        printf("round %ld securebits 0x%x uid %u/%u/%u gid %u/%u/%u groups %s permitted %08x%08x"
               " effective %08x%08x inheritable %08x%08x ambient %016llx\n", round, prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), r, e, s,
               gr, ge, gs, list,
               data[1].permitted, data[0].permitted, data[1].effective, data[0].effective,
               data[1].inheritable, data[0].inheritable, ambient);
        fflush(stdout);
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return 0;
}

/*
 * LD_PRELOAD shim for `npm run bench -- sends`: every fsync and fdatasync of the process waits
 * SLOW_FSYNC_US microseconds first, as on a disk whose cache flush is slow (network block storage,
 * SSDs without power-loss protection). Both servers of the bench run in that one process.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

static void wait_flush(void) {
  const char *us = getenv("SLOW_FSYNC_US");
  if (us) usleep((useconds_t)atoi(us));
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  wait_flush();
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  wait_flush();
  return real(fd);
}

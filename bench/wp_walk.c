/*
 * wp_walk.c - what UFFDIO_WRITEPROTECT costs over a window of W PTEs of
 * which some are present (the trimmer's freeze and thaw).  Not part of the
 * build:  cc -O2 -pthread bench/wp_walk.c -o build/wp_walk
 *         ./build/wp_walk 0    (alone)
 *         ./build/wp_walk 1    (a sibling thread spins, so each call's flush
 *                               is a shootdown)
 * Note: the first row runs before the window's page table exists; later
 * rows run after MADV_DONTNEED, which on 6.x may free an empty PTE table.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <stdatomic.h>
#define PG 4096
static int uffd; static char *base; static char src[PG] __attribute__((aligned(4096)));
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
static void wp(unsigned long lo, unsigned long n, int on){
	struct uffdio_writeprotect w={.range={(unsigned long)base+lo*PG,n*PG},.mode=on?UFFDIO_WRITEPROTECT_MODE_WP:UFFDIO_WRITEPROTECT_MODE_DONTWAKE};
	if(ioctl(uffd,UFFDIO_WRITEPROTECT,&w)){perror("wp");exit(1);} }
static void fill(unsigned long v){struct uffdio_copy c={.dst=(unsigned long)base+v*PG,.src=(unsigned long)src,.len=PG,.mode=UFFDIO_COPY_MODE_DONTWAKE};
	if(ioctl(uffd,UFFDIO_COPY,&c)){perror("copy");exit(1);} }
static atomic_int stop; static void *spin(void*a){(void)a; volatile char *p=base; while(!atomic_load(&stop)) (void)p[0]; return 0;}
int main(int argc,char**argv){
	int sib=argc>1&&atoi(argv[1]);
	unsigned long N=16384;
	uffd=syscall(SYS_userfaultfd,O_CLOEXEC|O_NONBLOCK);
	struct uffdio_api api={.api=UFFD_API,.features=0}; ioctl(uffd,UFFDIO_API,&api);
	base=mmap(0,N*PG,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0);
	struct uffdio_register r={.range={(unsigned long)base,N*PG},.mode=UFFDIO_REGISTER_MODE_MISSING|UFFDIO_REGISTER_MODE_WP};
	if(ioctl(uffd,UFFDIO_REGISTER,&r)){perror("reg");return 1;}
	fill(0); /* page 0 always present, for the sibling */
	pthread_t t; if(sib) pthread_create(&t,0,spin,0);
	struct {unsigned W, stride;} cf[]={{1024,0},{1024,16},{1024,1},{64,1},{256,4},{4096,0},{4096,64}};
	for(unsigned c=0;c<sizeof cf/sizeof cf[0];c++){
		unsigned W=cf[c].W, s=cf[c].stride; unsigned long lo=8192; int iters=300; unsigned np=0;
		if(s) for(unsigned v=0;v<W;v+=s){fill(lo+v);np++;}
		double ton=0,toff=0;
		for(int i=0;i<iters;i++){double a=now();wp(lo,W,1);double b=now();wp(lo,W,0);double d=now();ton+=b-a;toff+=d-b;}
		printf("W=%5u present=%5u  WP on %8.0f ns  off %8.0f ns   per PTE on %.1f off %.1f\n",W,np,ton/iters,toff/iters,ton/iters/W,toff/iters/W);
		struct iovec x; (void)x; madvise(base+lo*PG,W*PG,MADV_DONTNEED);
	}
	atomic_store(&stop,1); if(sib) pthread_join(t,0);
	return 0;
}

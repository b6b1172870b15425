/*
 * wp_batch.c - a trim batch's freeze two ways (issue 13): the window frozen
 * whole and thawed (every present PTE between the batch's pages walked
 * twice), against one UFFDIO_WRITEPROTECT per run of the batch's pages (no
 * thaw).  N pages, R of them present at random, a batch of B of those;
 * wall and thread CPU time per batch page.  Not part of the build:
 *	cc -O2 -pthread bench/wp_batch.c -o build/wp_batch
 *	./build/wp_batch SIB N R B ITERS     e.g. ./build/wp_batch 1 16384 4096 256 100
 * SIB 1: a sibling thread reads the present pages meanwhile, so a flush
 * has another CPU to shoot down when it runs.
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
static double cpu(void){struct timespec t;clock_gettime(CLOCK_THREAD_CPUTIME_ID,&t);return t.tv_sec*1e9+t.tv_nsec;}
static void wp(unsigned long lo, unsigned long n, int on){
	struct uffdio_writeprotect w={.range={(unsigned long)base+lo*PG,n*PG},.mode=on?UFFDIO_WRITEPROTECT_MODE_WP:UFFDIO_WRITEPROTECT_MODE_DONTWAKE};
	if(ioctl(uffd,UFFDIO_WRITEPROTECT,&w)){perror("wp");exit(1);} }
static void fill(unsigned long v){struct uffdio_copy c={.dst=(unsigned long)base+v*PG,.src=(unsigned long)src,.len=PG,.mode=UFFDIO_COPY_MODE_DONTWAKE};
	if(ioctl(uffd,UFFDIO_COPY,&c)){perror("copy");exit(1);} }
static atomic_int stop; static unsigned long *pres; static unsigned npres;
static void *spin(void*a){(void)a; unsigned i=0; volatile char *p=base; while(!atomic_load(&stop)) { (void)p[pres[i++ % npres]*PG]; } return 0;}
static int cmp(const void*a,const void*b){unsigned long x=*(unsigned long*)a,y=*(unsigned long*)b;return x<y?-1:x>y;}
int main(int argc,char**argv){
	int sib=atoi(argv[1]); unsigned long N=atol(argv[2]); unsigned R=atoi(argv[3]); unsigned B=atoi(argv[4]); int iters=atoi(argv[5]);
	uffd=syscall(SYS_userfaultfd,O_CLOEXEC|O_NONBLOCK);
	struct uffdio_api api={.api=UFFD_API,.features=UFFD_FEATURE_PAGEFAULT_FLAG_WP}; ioctl(uffd,UFFDIO_API,&api);
	base=mmap(0,N*PG,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0);
	madvise(base,N*PG,MADV_NOHUGEPAGE);
	struct uffdio_register r={.range={(unsigned long)base,N*PG},.mode=UFFDIO_REGISTER_MODE_MISSING|UFFDIO_REGISTER_MODE_WP};
	if(ioctl(uffd,UFFDIO_REGISTER,&r)){perror("reg");return 1;}
	/* R present pages at random */
	pres=malloc(R*sizeof *pres); char *is=calloc(N,1); srand(1);
	while(npres<R){unsigned long v=((unsigned long)rand()<<16 ^ rand())%N; if(!is[v]){is[v]=1;pres[npres++]=v;fill(v);}}
	pthread_t t; if(sib) pthread_create(&t,0,spin,0);
	unsigned long *b=malloc(B*sizeof *b);
	double wA=0,cA=0,wB=0,cB=0;
	for(int it=0;it<iters;it++){
		/* a batch: B random present pages, sorted */
		for(unsigned i=0;i<B;i++) b[i]=pres[(i*(unsigned long)R/B + it)%R];
		qsort(b,B,sizeof *b,cmp);
		double w0=now(),c0=cpu();
		wp(b[0],b[B-1]+1-b[0],1); wp(b[0],b[B-1]+1-b[0],0);
		double w1=now(),c1=cpu();
		for(unsigned i=0;i<B;){unsigned j=i+1; while(j<B&&b[j]==b[j-1]+1)j++; wp(b[i],b[j-1]+1-b[i],1); i=j;}
		double w2=now(),c2=cpu();
		for(unsigned i=0;i<B;){unsigned j=i+1; while(j<B&&b[j]==b[j-1]+1)j++; wp(b[i],b[j-1]+1-b[i],0); i=j;}
		wA+=w1-w0;cA+=c1-c0;wB+=w2-w1;cB+=c2-c1;
	}
	printf("N=%lu present=%u batch=%u sib=%d: window freeze+thaw %.2f us/page (cpu %.2f); per-run freeze %.2f us/page (cpu %.2f)\n",N,R,B,sib,wA/iters/B/1e3,cA/iters/B/1e3,wB/iters/B/1e3,cB/iters/B/1e3);
	atomic_store(&stop,1); if(sib) pthread_join(t,0);
	return 0;
}

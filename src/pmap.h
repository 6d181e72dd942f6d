/* pmap.h — an ordered parallel map: work on several threads, results taken
 * in order on the calling thread.
 *
 * Used for the two stages that cost the most: reading posts and rendering
 * chapters. Results come back in index order whatever the timing, so the
 * book and its messages do not depend on the number of threads.
 */
#ifndef POST2EPUB_PMAP_H
#define POST2EPUB_PMAP_H

#include <signal.h>
#include <stddef.h>


struct pmap {
	size_t n;          /* items 0 .. n-1 */
	unsigned threads;  /* threads that work, the caller's included, >= 1 */
	size_t window;     /* items in flight at most (memory bound), >= 1 */
	size_t slot_size;  /* bytes of one result; zeroed before work() */
	void *ctx;
	/* On any of the threads: item i into slot. tls is the thread's own
	 * state. */
	void (*work)(void *ctx, void *tls, size_t i, void *slot);
	/* On the caller, for i = 0, 1, … in order: take the result. Called for
	 * every item worked on, also after a stop, so it can free the slot. */
	void (*consume)(void *ctx, size_t i, void *slot);
	/* Optional per-thread state, made on the thread that uses it. */
	void *(*tls_new)(void *ctx);
	void (*tls_free)(void *tls);
	const volatile sig_atomic_t *stop; /* no new item once set; may be NULL */
};

/* Returns 0 when every item was consumed, -1 when stopped early. Threads
 * that cannot be started leave their share to the others. */
int pmap_run(const struct pmap *m);

/* Threads worth running here: the online cores, 1 to 8. */
unsigned pmap_cores(void);

#endif

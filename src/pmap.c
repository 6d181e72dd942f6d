/* pmap.c — see pmap.h.
 *
 * The caller is one of the workers: between two results it takes items
 * itself, so `threads` threads share the cores (not threads + 1), and it
 * sleeps only when the next result is being made by another thread and no
 * item can be taken. A worker wakes the caller only for the result it
 * waits for, and the caller wakes workers only when one waits for room in
 * the window: a build of 2,000 chapters switches threads a few hundred
 * times instead of several thousand.
 */
#include "pmap.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define MAX_THREADS 64
#define NONE ((size_t)-1)

struct run {
	const struct pmap *m;
	pthread_mutex_t mu;
	pthread_cond_t room; /* a worker may take another item */
	pthread_cond_t done; /* the result the caller waits for is ready */
	size_t next;         /* the next item to take */
	size_t consumed;     /* items handed to consume() */
	size_t waiting_for;  /* the item the caller sleeps on, or NONE */
	unsigned idle;       /* workers sleeping on room */
	bool quit;
	unsigned char *slots; /* window × slot_size */
	bool *ready;
};

static bool
stop_asked(const struct pmap *m)
{
	return m->stop != NULL && *m->stop;
}

static void *
slot_of(struct run *r, size_t i)
{
	return r->slots + (i % r->m->window) * r->m->slot_size;
}

/* With r->mu held: an item to take now, or NONE. */
static size_t
take(struct run *r)
{
	const struct pmap *m = r->m;
	if (r->quit || r->next >= m->n || r->next >= r->consumed + m->window || stop_asked(m))
		return NONE;
	return r->next++;
}

/* Works on item i (r->mu not held), then marks it ready (r->mu held). */
static void
work_on(struct run *r, void *tls, size_t i)
{
	void *slot = slot_of(r, i);
	pthread_mutex_unlock(&r->mu);
	memset(slot, 0, r->m->slot_size);
	r->m->work(r->m->ctx, tls, i, slot);
	pthread_mutex_lock(&r->mu);
	r->ready[i % r->m->window] = true;
	if (r->waiting_for == i)
		pthread_cond_signal(&r->done);
}

static void *
worker(void *arg)
{
	struct run *r = arg;
	const struct pmap *m = r->m;
	void *tls = m->tls_new ? m->tls_new(m->ctx) : NULL;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		size_t i = take(r);
		if (i != NONE) {
			work_on(r, tls, i);
			continue;
		}
		if (r->quit || r->next >= m->n || stop_asked(m))
			break;
		r->idle++;
		pthread_cond_wait(&r->room, &r->mu);
		r->idle--;
	}
	/* The caller may wait for an item nobody will take (stopped). */
	pthread_cond_signal(&r->done);
	pthread_mutex_unlock(&r->mu);
	if (m->tls_free)
		m->tls_free(tls);
	return NULL;
}

int
pmap_run(const struct pmap *m)
{
	struct run r = {.m = m, .waiting_for = NONE};
	pthread_t th[MAX_THREADS];
	unsigned nth = 0, want = m->threads < 1 ? 1 : m->threads > MAX_THREADS ? MAX_THREADS : m->threads;
	void *tls = NULL;
	bool have_tls = false;
	int rc = 0;

	if (m->n == 0)
		return 0;
	r.slots = xcalloc(m->window, m->slot_size);
	r.ready = xcalloc(m->window, sizeof *r.ready);
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.room, NULL);
	pthread_cond_init(&r.done, NULL);
	/* The caller works too; a thread that cannot start leaves more to it. */
	for (; nth + 1 < want && nth + 1 < m->n; nth++)
		if (pthread_create(&th[nth], NULL, worker, &r) != 0)
			break;

	pthread_mutex_lock(&r.mu);
	for (size_t i = 0; i < m->n; i++) {
		while (!r.ready[i % m->window]) {
			size_t k = take(&r);
			if (k != NONE) {
				if (!have_tls) {
					pthread_mutex_unlock(&r.mu);
					tls = m->tls_new ? m->tls_new(m->ctx) : NULL;
					have_tls = true;
					pthread_mutex_lock(&r.mu);
				}
				work_on(&r, tls, k);
				continue;
			}
			if (r.next <= i) { /* nobody will make it: stopped */
				rc = -1;
				break;
			}
			r.waiting_for = i;
			pthread_cond_wait(&r.done, &r.mu);
			r.waiting_for = NONE;
		}
		if (rc != 0)
			break;
		pthread_mutex_unlock(&r.mu);
		m->consume(m->ctx, i, slot_of(&r, i));
		pthread_mutex_lock(&r.mu);
		r.ready[i % m->window] = false;
		r.consumed = i + 1;
		if (r.idle > 0)
			pthread_cond_signal(&r.room);
	}
	r.quit = true;
	pthread_cond_broadcast(&r.room);
	pthread_mutex_unlock(&r.mu);
	for (unsigned t = 0; t < nth; t++)
		pthread_join(th[t], NULL);
	if (have_tls && m->tls_free)
		m->tls_free(tls);
	/* Items worked on but not consumed (stopped): consume frees them. */
	for (size_t i = r.consumed; i < r.next; i++)
		if (r.ready[i % m->window])
			m->consume(m->ctx, i, slot_of(&r, i));
	if (rc == 0 && stop_asked(m))
		rc = -1;
	pthread_cond_destroy(&r.room);
	pthread_cond_destroy(&r.done);
	pthread_mutex_destroy(&r.mu);
	free(r.slots);
	free(r.ready);
	return rc;
}

unsigned
pmap_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 8 ? 8 : (unsigned)n;
}

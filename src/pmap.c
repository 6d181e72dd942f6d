/* pmap.c — see pmap.h. */
#include "pmap.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define MAX_THREADS 64

struct run {
	const struct pmap *m;
	pthread_mutex_t mu;
	pthread_cond_t work; /* a worker may take another item */
	pthread_cond_t done; /* a result is ready */
	size_t next;         /* the next item to take */
	size_t consumed;     /* items handed to consume() */
	size_t taken_end;    /* items taken by workers, final once quit */
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
worker(void *arg)
{
	struct run *r = arg;
	const struct pmap *m = r->m;
	void *tls = m->tls_new ? m->tls_new(m->ctx) : NULL;

	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (!r->quit && r->next < m->n && r->next >= r->consumed + m->window)
			pthread_cond_wait(&r->work, &r->mu);
		if (r->quit || r->next >= m->n || stop_asked(m)) {
			pthread_mutex_unlock(&r->mu);
			break;
		}
		size_t i = r->next++;
		void *slot = r->slots + (i % m->window) * m->slot_size;
		pthread_mutex_unlock(&r->mu);

		memset(slot, 0, m->slot_size);
		m->work(m->ctx, tls, i, slot);

		pthread_mutex_lock(&r->mu);
		r->ready[i % m->window] = true;
		pthread_cond_broadcast(&r->done);
		pthread_mutex_unlock(&r->mu);
	}
	if (m->tls_free)
		m->tls_free(tls);
	/* Wake the caller: it may be waiting for an item nobody will take. */
	pthread_mutex_lock(&r->mu);
	pthread_cond_broadcast(&r->done);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

int
pmap_run(const struct pmap *m, struct log *lg)
{
	struct run r = {.m = m};
	pthread_t th[MAX_THREADS];
	unsigned nth = 0, want = m->threads < 1 ? 1 : m->threads > MAX_THREADS ? MAX_THREADS : m->threads;
	int rc = 0;

	if (m->n == 0)
		return 0;
	r.slots = xcalloc(m->window, m->slot_size);
	r.ready = xcalloc(m->window, sizeof *r.ready);
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.work, NULL);
	pthread_cond_init(&r.done, NULL);
	for (; nth < want && nth < m->n; nth++) {
		int e = pthread_create(&th[nth], NULL, worker, &r);
		if (e != 0) {
			if (nth == 0) {
				log_error(lg, NULL, 0, "cannot start a thread: %s", strerror(e));
				rc = -1;
			}
			break;
		}
	}
	for (size_t i = 0; rc == 0 && i < m->n; i++) {
		pthread_mutex_lock(&r.mu);
		/* Wait for item i, unless no one will ever take it (stopped). */
		while (!r.ready[i % m->window] && !(r.next <= i && stop_asked(m)))
			pthread_cond_wait(&r.done, &r.mu);
		bool have = r.ready[i % m->window];
		pthread_mutex_unlock(&r.mu);
		if (!have) {
			rc = -1;
			break;
		}
		m->consume(m->ctx, i, r.slots + (i % m->window) * m->slot_size);
		pthread_mutex_lock(&r.mu);
		r.ready[i % m->window] = false;
		r.consumed = i + 1;
		pthread_cond_broadcast(&r.work);
		pthread_mutex_unlock(&r.mu);
	}
	pthread_mutex_lock(&r.mu);
	r.quit = true;
	pthread_cond_broadcast(&r.work);
	pthread_mutex_unlock(&r.mu);
	for (unsigned t = 0; t < nth; t++)
		pthread_join(th[t], NULL);
	/* Items worked on but not consumed (stopped): consume frees them. */
	for (size_t i = r.consumed; i < r.next; i++)
		if (r.ready[i % m->window])
			m->consume(m->ctx, i, r.slots + (i % m->window) * m->slot_size);
	if (rc == 0 && stop_asked(m))
		rc = -1;
	pthread_cond_destroy(&r.work);
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

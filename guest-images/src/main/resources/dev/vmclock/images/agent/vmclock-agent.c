/*
 * vmclock-agent: the in-guest half of the vmclock conformance suite.
 *
 * Speaks JSON lines over the virtio-serial port named "dev.vmclock.agent.0" (falling back to
 * /dev/ttyS1 in raw mode) and over vsock port 5151, whichever the machine has: one request
 * object per line, {"id":N,"cmd":"NAME",...}, one response line {"id":N,"ok":true,...} or {"id":N,"ok":false,"error":"...","errno":"E..."}.
 * The host may connect, disconnect and reconnect at any time (also across live migration and
 * snapshot restore): the agent never exits on channel errors, it sleeps ~5 ms and retries.
 *
 * Static, libc only. Build: gcc -static -Os -Wall -Wextra -o vmclock-agent vmclock-agent.c
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/ptp_clock.h>
#include <linux/rtc.h>
#include <linux/vm_sockets.h>

#define AGENT_VERSION "1.5.0"
/* The vsock port the agent listens on (Java: HybridVsockEndpoint.AGENT_PORT). */
#define VSOCK_PORT 5151
#define PORT_NAME "dev.vmclock.agent.0"
#define FALLBACK_TTY "/dev/ttyS1"
#define VMCLOCK_DEV "/dev/vmclock0"
#define PAGE 4096u
/* Offsets in the vmclock_abi page (Linux include/uapi/linux/vmclock-abi.h), little-endian. */
#define OFF_SIZE 0x04u
#define OFF_SEQ 0x0cu
#define OFF_MARKER 0x10u
#define MAX_LINE 65536
#define MAX_KEYS 16

/* ---- output buffer ------------------------------------------------------------------------- */
struct buf { char *p; size_t len, cap; };

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			abort();
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void buf_str(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

__attribute__((format(printf, 2, 3)))
static void buf_fmt(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A JSON string literal, or null for NULL. */
static void buf_jstr(struct buf *b, const char *s)
{
	if (!s) {
		buf_str(b, "null");
		return;
	}
	buf_str(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			buf_add(b, e, 2);
		} else if (c == '\n') {
			buf_str(b, "\\n");
		} else if (c < 0x20 || c == 0x7f) {
			buf_fmt(b, "\\u%04x", c);
		} else {
			buf_add(b, (const char *)&c, 1);
		}
	}
	buf_str(b, "\"");
}

static void buf_hex(struct buf *b, const uint8_t *d, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	char tmp[128];
	size_t k = 0;
	buf_str(b, "\"");
	for (size_t i = 0; i < n; i++) {
		tmp[k++] = hx[d[i] >> 4];
		tmp[k++] = hx[d[i] & 15];
		if (k == sizeof tmp) {
			buf_add(b, tmp, k);
			k = 0;
		}
	}
	buf_add(b, tmp, k);
	buf_str(b, "\"");
}

/* ---- request parsing: one flat JSON object of strings, integers, booleans, null ----------- */
enum jtype { J_STR, J_NUM, J_BOOL, J_NULL };
struct kv { char key[64]; char val[1024]; enum jtype type; };
struct req { struct kv kv[MAX_KEYS]; int n; };

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static void put_utf8(char *out, size_t cap, size_t *k, unsigned cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) { u[0] = (char)cp; n = 1; }
	else if (cp < 0x800) { u[0] = (char)(0xc0 | cp >> 6); u[1] = (char)(0x80 | (cp & 63)); n = 2; }
	else { u[0] = (char)(0xe0 | cp >> 12); u[1] = (char)(0x80 | ((cp >> 6) & 63));
	       u[2] = (char)(0x80 | (cp & 63)); n = 3; }
	for (size_t i = 0; i < n && *k + 1 < cap; i++)
		out[(*k)++] = u[i];
}

/* Parses a JSON string at *pp (which points at the opening quote). */
static int parse_string(const char **pp, char *out, size_t cap)
{
	const char *p = *pp + 1;
	size_t k = 0;
	for (;;) {
		unsigned char c = (unsigned char)*p++;
		if (c == 0 || c < 0x20)
			return -1;
		if (c == '"')
			break;
		if (c == '\\') {
			char e = *p++;
			switch (e) {
			case '"': case '\\': case '/': c = (unsigned char)e; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u': {
				unsigned cp = 0;
				for (int i = 0; i < 4; i++, p++) {
					if (!isxdigit((unsigned char)*p))
						return -1;
					cp = cp * 16 + (unsigned)(isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
				}
				put_utf8(out, cap, &k, (cp >= 0xd800 && cp < 0xe000) ? '?' : cp);
				continue;
			}
			default: return -1;
			}
		}
		if (k + 1 >= cap)
			return -1;
		out[k++] = (char)c;
	}
	out[k] = 0;
	*pp = p;
	return 0;
}

static int parse_request(const char *line, struct req *rq, const char **err)
{
	const char *p = ws(line);
	rq->n = 0;
	if (*p++ != '{') { *err = "request is not a JSON object"; return -1; }
	p = ws(p);
	if (*p == '}')
		return *ws(p + 1) ? (*err = "trailing characters after the object", -1) : 0;
	for (;;) {
		if (rq->n == MAX_KEYS) { *err = "too many keys"; return -1; }
		struct kv *kv = &rq->kv[rq->n];
		if (*p != '"' || parse_string(&p, kv->key, sizeof kv->key)) { *err = "bad key"; return -1; }
		p = ws(p);
		if (*p++ != ':') { *err = "expected ':'"; return -1; }
		p = ws(p);
		if (*p == '"') {
			if (parse_string(&p, kv->val, sizeof kv->val)) { *err = "bad string value"; return -1; }
			kv->type = J_STR;
		} else if (*p == '-' || isdigit((unsigned char)*p)) {
			size_t k = 0;
			while ((*p == '-' || *p == '+' || *p == '.' || *p == 'e' || *p == 'E' || isdigit((unsigned char)*p))
			       && k + 1 < sizeof kv->val)
				kv->val[k++] = *p++;
			kv->val[k] = 0;
			kv->type = J_NUM;
		} else if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
			strcpy(kv->val, *p == 't' ? "true" : "false");
			p += *p == 't' ? 4 : 5;
			kv->type = J_BOOL;
		} else if (!strncmp(p, "null", 4)) {
			kv->val[0] = 0;
			p += 4;
			kv->type = J_NULL;
		} else if (*p == '{' || *p == '[') {
			*err = "nested objects and arrays are not supported";
			return -1;
		} else {
			*err = "bad value";
			return -1;
		}
		rq->n++;
		p = ws(p);
		if (*p == ',') { p = ws(p + 1); continue; }
		if (*p == '}') break;
		*err = "expected ',' or '}'";
		return -1;
	}
	if (*ws(p + 1)) { *err = "trailing characters after the object"; return -1; }
	return 0;
}

static const struct kv *req_get(const struct req *rq, const char *key)
{
	for (int i = 0; i < rq->n; i++)
		if (!strcmp(rq->kv[i].key, key))
			return &rq->kv[i];
	return NULL;
}

/* ---- command plumbing ---------------------------------------------------------------------- */
static char g_err[512];
static const char *g_errno;

static int fail(int e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g_err, sizeof g_err, fmt, ap);
	va_end(ap);
	g_errno = e ? strerrorname_np(e) : NULL;
	if (e) {
		size_t n = strlen(g_err);
		snprintf(g_err + n, sizeof g_err - n, ": %s (%s)", g_errno ? g_errno : "?", strerror(e));
	}
	return -1;
}

/* Integer argument: *out = default when absent; -1 when present but not an integer in range. */
static int arg_int(const struct req *rq, const char *key, long long def, long long lo, long long hi, long long *out)
{
	const struct kv *kv = req_get(rq, key);
	*out = def;
	if (!kv)
		return 0;
	char *end;
	errno = 0;
	long long v = strtoll(kv->val, &end, 10);
	if (kv->type != J_NUM || *end || errno || v < lo || v > hi)
		return fail(0, "argument '%s' must be an integer in [%lld, %lld]", key, lo, hi);
	*out = v;
	return 0;
}

static int arg_bool(const struct req *rq, const char *key, int def, int *out)
{
	const struct kv *kv = req_get(rq, key);
	*out = def;
	if (!kv)
		return 0;
	if (kv->type == J_BOOL) *out = !strcmp(kv->val, "true");
	else if (kv->type == J_NUM && (!strcmp(kv->val, "0") || !strcmp(kv->val, "1"))) *out = kv->val[0] == '1';
	else return fail(0, "argument '%s' must be a boolean", key);
	return 0;
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void msleep(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Reads a small text file, strips the trailing newline. Returns NULL if unreadable. */
static char *read_text(const char *path, char *out, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, out, cap - 1);
	close(fd);
	if (n < 0)
		return NULL;
	out[n] = 0;
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = 0;
	return out;
}

/* ---- the vmclock page ------------------------------------------------------------------------ */
static const volatile uint8_t *g_page; /* shared read-only mapping, made on first use */

static const volatile uint8_t *page_map(int *err)
{
	if (g_page)
		return g_page;
	int fd = open(VMCLOCK_DEV, O_RDONLY | O_CLOEXEC);
	if (fd < 0) { *err = errno; return NULL; }
	void *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	*err = errno;
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	return g_page = p;
}

static uint32_t seq_of(const volatile uint8_t *pg)
{
	return *(const volatile uint32_t *)(pg + OFF_SEQ);
}

/*
 * Copies len bytes of the page under the seq_count protocol: seq even, copy, seq unchanged.
 * Counts every failed attempt in *retries. Gives up (ETIMEDOUT) after timeout_ns.
 */
static int seq_copy(const volatile uint8_t *pg, uint8_t *dst, size_t len, uint64_t timeout_ns,
		    uint32_t *seq, uint64_t *retries)
{
	uint64_t deadline = now_ns(CLOCK_MONOTONIC) + timeout_ns;
	for (;;) {
		uint32_t s1 = seq_of(pg);
		if (!(s1 & 1)) {
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			memcpy(dst, (const void *)pg, len);
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (seq_of(pg) == s1) {
				*seq = s1;
				return 0;
			}
		}
		(*retries)++;
		if ((*retries & 1023) == 0 && now_ns(CLOCK_MONOTONIC) > deadline) {
			*seq = seq_of(pg);
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

/* ---- commands -------------------------------------------------------------------------------- */
static int cmd_ping(const struct req *rq, struct buf *b)
{
	(void)rq;
	buf_str(b, ",\"agent\":");
	buf_jstr(b, AGENT_VERSION);
	return 0;
}

static int cmd_read(const struct req *rq, struct buf *b)
{
	long long off, want;
	uint8_t hdr[8];
	if (arg_int(rq, "offset", 0, 0, 1 << 20, &off))
		return -1;
	int fd = open(VMCLOCK_DEV, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(errno, "open %s", VMCLOCK_DEV);
	ssize_t n = pread(fd, hdr, sizeof hdr, 0);
	if (n != (ssize_t)sizeof hdr) {
		int e = n < 0 ? errno : EIO;
		close(fd);
		return fail(e, "read of the page header (%zd bytes)", n);
	}
	uint32_t size = (uint32_t)hdr[OFF_SIZE] | (uint32_t)hdr[OFF_SIZE + 1] << 8 |
			(uint32_t)hdr[OFF_SIZE + 2] << 16 | (uint32_t)hdr[OFF_SIZE + 3] << 24;
	if (arg_int(rq, "length", size < 65536 ? size : 65536, 0, 65536, &want)) {
		close(fd);
		return -1;
	}
	uint8_t *data = malloc((size_t)want + 1);
	n = pread(fd, data, (size_t)want, (off_t)off);
	int e = errno;
	close(fd);
	if (n < 0) {
		free(data);
		return fail(e, "read %s (offset %lld, %lld bytes)", VMCLOCK_DEV, off, want);
	}
	buf_str(b, ",\"bytes\":");
	buf_hex(b, data, (size_t)n);
	buf_fmt(b, ",\"len\":%zd,\"size_field\":%" PRIu32 ",\"offset\":%lld,\"requested\":%lld", n, size, off, want);
	free(data);
	return 0;
}

static int cmd_mmap(const struct req *rq, struct buf *b)
{
	long long tmo;
	uint8_t copy[PAGE];
	uint32_t seq = 0;
	uint64_t retries = 0;
	if (arg_int(rq, "timeout_ms", 1000, 0, 60000, &tmo))
		return -1;
	int fd = open(VMCLOCK_DEV, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(errno, "open %s", VMCLOCK_DEV);
	void *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	int e = errno;
	close(fd);
	if (p == MAP_FAILED)
		return fail(e, "mmap PROT_READ MAP_SHARED of %s", VMCLOCK_DEV);
	int rc = seq_copy(p, copy, PAGE, (uint64_t)tmo * 1000000u, &seq, &retries);
	munmap(p, PAGE);
	if (rc)
		return fail(ETIMEDOUT, "no consistent copy within %lld ms (seq_count 0x%" PRIx32 ", %" PRIu64 " retries)",
			    tmo, seq, retries);

	/* A writable shared mapping must be refused. Use an O_RDWR descriptor so the refusal comes
	 * from the driver, not from the VFS permission check (EACCES) on a read-only descriptor. */
	const char *wfd_mode = "O_RDWR";
	int wfd = open(VMCLOCK_DEV, O_RDWR | O_CLOEXEC);
	if (wfd < 0) {
		wfd_mode = "O_RDONLY";
		wfd = open(VMCLOCK_DEV, O_RDONLY | O_CLOEXEC);
	}
	if (wfd < 0)
		return fail(errno, "reopen %s", VMCLOCK_DEV);
	void *w = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, wfd, 0);
	int werr = w == MAP_FAILED ? errno : 0;
	if (w != MAP_FAILED)
		munmap(w, PAGE); /* never written to */
	/* A read-only mapping must not be upgradable with mprotect() either. Nothing is written. */
	int merr = -1;
	void *r = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, wfd, 0);
	if (r != MAP_FAILED) {
		merr = mprotect(r, PAGE, PROT_READ | PROT_WRITE) ? errno : 0;
		munmap(r, PAGE);
	}
	close(wfd);

	buf_str(b, ",\"bytes\":");
	buf_hex(b, copy, PAGE);
	buf_fmt(b, ",\"len\":%u,\"seq_count\":%" PRIu32 ",\"retries\":%" PRIu64, PAGE, seq, retries);
	buf_fmt(b, ",\"writable_mapping_refused\":%s,\"writable_errno\":", werr ? "true" : "false");
	buf_jstr(b, werr ? strerrorname_np(werr) : NULL);
	buf_str(b, ",\"writable_fd\":");
	buf_jstr(b, wfd_mode);
	if (merr >= 0) {
		buf_fmt(b, ",\"mprotect_write_refused\":%s,\"mprotect_errno\":", merr ? "true" : "false");
		buf_jstr(b, merr ? strerrorname_np(merr) : NULL);
	} else {
		buf_str(b, ",\"mprotect_write_refused\":null,\"mprotect_errno\":null");
	}
	return 0;
}

static int g_poll_fd = -1; /* kept open across poll commands: the driver tracks seq per open file */

static int cmd_poll(const struct req *rq, struct buf *b)
{
	static const struct { short bit; const char *name; } names[] = {
		{ POLLIN, "POLLIN" }, { POLLPRI, "POLLPRI" }, { POLLOUT, "POLLOUT" },
		{ POLLERR, "POLLERR" }, { POLLHUP, "POLLHUP" }, { POLLNVAL, "POLLNVAL" },
		{ POLLRDNORM, "POLLRDNORM" }, { POLLRDBAND, "POLLRDBAND" },
		{ POLLWRNORM, "POLLWRNORM" }, { POLLWRBAND, "POLLWRBAND" },
	};
	long long tmo;
	int reopen, read_first, err = 0, reopened = 0;
	if (arg_int(rq, "timeout_ms", 0, 0, 600000, &tmo) || arg_bool(rq, "reopen", 0, &reopen) ||
	    arg_bool(rq, "read_first", 1, &read_first))
		return -1;
	const volatile uint8_t *pg = page_map(&err);
	if (!pg)
		return fail(err, "mmap %s", VMCLOCK_DEV);
	if (reopen && g_poll_fd >= 0) {
		close(g_poll_fd);
		g_poll_fd = -1;
	}
	if (g_poll_fd < 0) {
		g_poll_fd = open(VMCLOCK_DEV, O_RDONLY | O_CLOEXEC);
		if (g_poll_fd < 0)
			return fail(errno, "open %s", VMCLOCK_DEV);
		reopened = 1;
	}
	if (read_first) { /* read() makes the driver record the current seq_count for this file */
		uint8_t tmp[PAGE];
		if (pread(g_poll_fd, tmp, PAGE, 0) < 0)
			return fail(errno, "read %s before poll", VMCLOCK_DEV);
	}
	uint32_t before = seq_of(pg);
	struct pollfd pfd = { .fd = g_poll_fd, .events = POLLIN };
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	int r = poll(&pfd, 1, (int)tmo);
	uint64_t t1 = now_ns(CLOCK_MONOTONIC);
	uint32_t after = seq_of(pg);
	/* The marker as the page shows it right on wake-up, raw (no seq_count loop): with seq_count "after". */
	uint64_t marker_after = *(const volatile uint64_t *)(pg + OFF_MARKER);
	if (r < 0)
		return fail(errno, "poll %s", VMCLOCK_DEV);
	buf_str(b, ",\"revents\":[");
	int first = 1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (pfd.revents & names[i].bit) {
			buf_fmt(b, "%s\"%s\"", first ? "" : ",", names[i].name);
			first = 0;
		}
	buf_fmt(b, "],\"revents_raw\":%d,\"timed_out\":%s,\"elapsed_ns\":%" PRIu64
		   ",\"seq_count\":%" PRIu32 ",\"seq_count_before\":%" PRIu32 ",\"marker_after\":%" PRIu64
		   ",\"fresh_fd\":%s,\"read_first\":%s",
		pfd.revents, r == 0 ? "true" : "false", t1 - t0, after, before, marker_after,
		reopened ? "true" : "false", read_first ? "true" : "false");
	return 0;
}

/* "feffb000-feffbfff : AMZNC10C:00" lines of /proc/iomem naming dev (any nesting depth). */
static int iomem_find(const char *dev, unsigned long long *start, unsigned long long *end, char *name, size_t cap)
{
	FILE *f = fopen("/proc/iomem", "re");
	char line[256];
	int found = 0;
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof line, f)) {
		char *colon = strstr(line, " : ");
		if (!colon || !strstr(colon, dev))
			continue;
		if (sscanf(line, " %llx-%llx", start, end) == 2) {
			snprintf(name, cap, "%s", colon + 3);
			name[strcspn(name, "\n")] = 0;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

static int cmd_acpi(const struct req *rq, struct buf *b)
{
	(void)rq;
	const char *base = "/sys/bus/acpi/devices";
	char dev[256] = "", path[512], val[256], link[512];
	int count = 0;
	DIR *d = opendir(base);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (!strncmp(e->d_name, "AMZNC10C:", 9) && count++ == 0)
				snprintf(dev, sizeof dev, "%s", e->d_name);
		closedir(d);
	}
	if (!count) {
		buf_str(b, ",\"present\":false");
		return 0;
	}
	buf_fmt(b, ",\"present\":true,\"count\":%d,\"path\":", count);
	snprintf(path, sizeof path, "%s/%s", base, dev);
	buf_jstr(b, path);
	static const char *const files[] = { "hid", "modalias", "uid", "description" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s/%s", base, dev, files[i]);
		buf_fmt(b, ",\"%s\":", files[i]);
		buf_jstr(b, read_text(path, val, sizeof val));
	}
	snprintf(path, sizeof path, "%s/%s/status", base, dev);
	if (read_text(path, val, sizeof val))
		buf_fmt(b, ",\"status\":%ld", strtol(val, NULL, 0));
	else
		buf_str(b, ",\"status\":null");
	/* The driver binds to the platform device the ACPI node enumerates (physical_node). */
	const char *driver = NULL;
	static const char *const drv_links[] = { "physical_node/driver", "driver" };
	for (size_t i = 0; i < 2 && !driver; i++) {
		snprintf(path, sizeof path, "%s/%s/%s", base, dev, drv_links[i]);
		ssize_t n = readlink(path, link, sizeof link - 1);
		if (n > 0) {
			link[n] = 0;
			driver = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
		}
	}
	buf_str(b, ",\"driver\":");
	buf_jstr(b, driver);

	unsigned long long start = 0, end = 0;
	char name[128];
	int have = iomem_find(dev, &start, &end, name, sizeof name);
	if (have) {
		buf_fmt(b, ",\"iomem\":{\"start\":\"0x%llx\",\"end\":\"0x%llx\",\"name\":", start, end);
		buf_jstr(b, name);
		buf_str(b, "}");
	} else {
		buf_str(b, ",\"iomem\":null");
	}
	buf_str(b, ",\"e820\":[");
	int first = 1;
	DIR *m = have ? opendir("/sys/firmware/memmap") : NULL;
	if (m) {
		struct dirent *e;
		while ((e = readdir(m))) {
			char s[64], t[64], ty[64];
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "/sys/firmware/memmap/%s/start", e->d_name);
			if (!read_text(path, s, sizeof s)) continue;
			snprintf(path, sizeof path, "/sys/firmware/memmap/%s/end", e->d_name);
			if (!read_text(path, t, sizeof t)) continue;
			snprintf(path, sizeof path, "/sys/firmware/memmap/%s/type", e->d_name);
			if (!read_text(path, ty, sizeof ty)) continue;
			unsigned long long ms = strtoull(s, NULL, 0), me = strtoull(t, NULL, 0);
			if (ms > end || me < start)
				continue;
			buf_fmt(b, "%s{\"index\":%s,\"start\":\"0x%llx\",\"end\":\"0x%llx\",\"type\":", first ? "" : ",",
				e->d_name, ms, me);
			buf_jstr(b, ty);
			buf_str(b, "}");
			first = 0;
		}
		closedir(m);
	}
	buf_str(b, "]");
	return 0;
}

static inline uint64_t rdtsc_now(void)
{
#if defined(__x86_64__) || defined(__i386__)
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
#else
	return 0;
#endif
}

/* Online CPUs from /sys/devices/system/cpu/online ("0-3,5"). */
static int online_cpus(int *cpus, int max)
{
	char s[256];
	int n = 0;
	if (!read_text("/sys/devices/system/cpu/online", s, sizeof s)) {
		cpus[n++] = 0;
		return n;
	}
	for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ",")) {
		int a, z;
		int k = sscanf(tok, "%d-%d", &a, &z);
		if (k < 1) continue;
		if (k == 1) z = a;
		for (int c = a; c <= z && n < max; c++)
			cpus[n++] = c;
	}
	return n;
}

static int cmd_clocks(const struct req *rq, struct buf *b)
{
	(void)rq;
	int cpus[CPU_SETSIZE];
	cpu_set_t orig, one;
	buf_fmt(b, ",\"monotonic_ns\":%" PRIu64 ",\"realtime_ns\":%" PRIu64 ",\"boottime_ns\":%" PRIu64
		   ",\"monotonic_raw_ns\":%" PRIu64,
		now_ns(CLOCK_MONOTONIC), now_ns(CLOCK_REALTIME), now_ns(CLOCK_BOOTTIME), now_ns(CLOCK_MONOTONIC_RAW));
	/* The kernel leaves "tsc" when its watchdog finds the TSC unstable; ptp_vmclock then serves no time. */
	char cs[64];
	if (read_text("/sys/devices/system/clocksource/clocksource0/current_clocksource", cs, sizeof cs)) {
		cs[strcspn(cs, "\n")] = 0;
		buf_fmt(b, ",\"clocksource\":\"%s\"", cs);
	}
#if defined(__x86_64__) || defined(__i386__)
	int n = online_cpus(cpus, CPU_SETSIZE);
	int have_orig = sched_getaffinity(0, sizeof orig, &orig) == 0;
	buf_str(b, ",\"tsc\":[");
	int first = 1;
	for (int i = 0; i < n; i++) {
		CPU_ZERO(&one);
		CPU_SET(cpus[i], &one);
		if (sched_setaffinity(0, sizeof one, &one))
			continue;
		uint64_t m0 = now_ns(CLOCK_MONOTONIC);
		uint64_t t = rdtsc_now();
		uint64_t m1 = now_ns(CLOCK_MONOTONIC);
		int where = sched_getcpu();
		buf_fmt(b, "%s{\"cpu\":%d,\"tsc\":%" PRIu64 ",\"monotonic_ns\":%" PRIu64 ",\"window_ns\":%" PRIu64
			   ",\"ran_on\":%d}", first ? "" : ",", cpus[i], t, m0 + (m1 - m0) / 2, m1 - m0, where);
		first = 0;
	}
	buf_str(b, "]");
	if (have_orig)
		sched_setaffinity(0, sizeof orig, &orig);
#else
	(void)cpus; (void)orig; (void)one;
	buf_str(b, ",\"tsc\":null");
#endif
	return 0;
}

/* ---- PTP clocks ------------------------------------------------------------------------------- */
#define FD_TO_CLOCKID(fd) ((clockid_t)((((unsigned)~(fd)) << 3) | 3))

/* Name of the driver bound to the device under sysfs directory dir ("<dir>/device/driver"), or NULL. */
static const char *bound_driver(const char *dir, char *out, size_t cap)
{
	char path[512], link[512];
	snprintf(path, sizeof path, "%s/device/driver", dir);
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n <= 0)
		return NULL;
	link[n] = 0;
	const char *base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	size_t len = strnlen(base, cap - 1);
	memcpy(out, base, len);
	out[len] = 0;
	return out;
}

/* One PTP clock as /sys/class/ptp shows it; virtio_rtc names its clocks "Virtio PTP type T/variant V". */
static void ptp_describe(struct buf *b, const char *dev, const char *name)
{
	char dir[300], drv[128];
	unsigned type, variant;
	snprintf(dir, sizeof dir, "/sys/class/ptp/%s", dev);
	buf_str(b, "\"dev\":");
	buf_jstr(b, dev);
	buf_str(b, ",\"name\":");
	buf_jstr(b, name);
	buf_str(b, ",\"driver\":");
	buf_jstr(b, bound_driver(dir, drv, sizeof drv));
	if (name && sscanf(name, "Virtio PTP type %u/variant %u", &type, &variant) == 2)
		buf_fmt(b, ",\"virtio_type\":%u,\"virtio_variant\":%u", type, variant);
	else
		buf_str(b, ",\"virtio_type\":null,\"virtio_variant\":null");
}

static int cmd_ptp(const struct req *rq, struct buf *b)
{
	(void)rq;
	char path[512], name[128];
	buf_str(b, ",\"clocks\":[");
	DIR *d = opendir("/sys/class/ptp");
	int first = 1;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "/sys/class/ptp/%s/clock_name", e->d_name);
			buf_str(b, first ? "{" : ",{");
			ptp_describe(b, e->d_name, read_text(path, name, sizeof name));
			buf_str(b, "}");
			first = 0;
		}
		closedir(d);
	}
	buf_str(b, "]");
	return 0;
}

/*
 * The PTP clock a request names: "dev" (ptpN) if given, else the first clock whose clock_name starts with
 * "name" (default "vmclock", ptp_vmclock's clock). Returns 0 when there is none.
 */
static int find_ptp(const struct req *rq, char *dev, size_t cap, char *name, size_t ncap)
{
	const struct kv *want_dev = req_get(rq, "dev"), *want_name = req_get(rq, "name");
	const char *prefix = want_name && want_name->type == J_STR ? want_name->val : "vmclock";
	char path[512];
	int found = 0;
	DIR *d = opendir("/sys/class/ptp");
	if (!d)
		return 0;
	struct dirent *e;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/sys/class/ptp/%s/clock_name", e->d_name);
		if (!read_text(path, name, ncap))
			continue;
		if (want_dev && want_dev->type == J_STR ? !strcmp(e->d_name, want_dev->val)
							: !strncmp(name, prefix, strlen(prefix))) {
			snprintf(dev, cap, "%s", e->d_name);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

static int64_t ptp_ns(const struct ptp_clock_time *t)
{
	return (int64_t)t->sec * 1000000000LL + (int64_t)t->nsec;
}

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000LL + (int64_t)t->tv_nsec;
}

/* The guest's own clocks and the TSC right before (pre) or after (post) a read. */
static void around(struct buf *b, const char *which, uint64_t tsc, uint64_t rt, uint64_t raw)
{
	buf_fmt(b, ",\"tsc_%s\":%" PRIu64 ",\"realtime_%s_ns\":%" PRIu64 ",\"monoraw_%s_ns\":%" PRIu64,
		which, tsc, which, rt, which, raw);
}

/*
 * One way of reading a PTP clock, as "name":{...}: clock_gettime(FD_TO_CLOCKID(fd)) when req is 0, else
 * ioctl(fd, req) with one of PTP_SYS_OFFSET, PTP_SYS_OFFSET_EXTENDED (one sample each) or
 * PTP_SYS_OFFSET_PRECISE. Bracketed by the TSC, CLOCK_REALTIME and CLOCK_MONOTONIC_RAW; a refusal
 * reports its errno.
 */
static void ptp_method(struct buf *b, int fd, const char *name, unsigned long req)
{
	union {
		struct timespec ts;
		struct ptp_sys_offset so;
		struct ptp_sys_offset_extended x;
		struct ptp_sys_offset_precise p;
	} u;
	memset(&u, 0, sizeof u);
	if (req == PTP_SYS_OFFSET)
		u.so.n_samples = 1;
	else if (req == PTP_SYS_OFFSET_EXTENDED)
		u.x.n_samples = 1;
	uint64_t rt0 = now_ns(CLOCK_REALTIME), raw0 = now_ns(CLOCK_MONOTONIC_RAW), c0 = rdtsc_now();
	int r = req ? ioctl(fd, req, &u) : clock_gettime(FD_TO_CLOCKID(fd), &u.ts);
	int e = errno;
	uint64_t c1 = rdtsc_now(), raw1 = now_ns(CLOCK_MONOTONIC_RAW), rt1 = now_ns(CLOCK_REALTIME);
	buf_fmt(b, ",\"%s\":{", name);
	if (r) {
		buf_str(b, "\"ok\":false,\"errno\":");
		buf_jstr(b, strerrorname_np(e));
		buf_str(b, ",\"error\":");
		buf_jstr(b, strerror(e));
	} else if (req == 0) {
		buf_fmt(b, "\"ok\":true,\"ptp_ns\":%" PRId64, ts_ns(&u.ts));
	} else if (req == PTP_SYS_OFFSET) { /* ts[] = system, PHC, system */
		buf_fmt(b, "\"ok\":true,\"sys_pre_ns\":%" PRId64 ",\"ptp_ns\":%" PRId64 ",\"sys_post_ns\":%" PRId64,
			ptp_ns(&u.so.ts[0]), ptp_ns(&u.so.ts[1]), ptp_ns(&u.so.ts[2]));
	} else if (req == PTP_SYS_OFFSET_EXTENDED) {
		buf_fmt(b, "\"ok\":true,\"sys_pre_ns\":%" PRId64 ",\"ptp_ns\":%" PRId64 ",\"sys_post_ns\":%" PRId64,
			ptp_ns(&u.x.ts[0][0]), ptp_ns(&u.x.ts[0][1]), ptp_ns(&u.x.ts[0][2]));
	} else {
		buf_fmt(b, "\"ok\":true,\"ptp_ns\":%" PRId64 ",\"sys_realtime_ns\":%" PRId64 ",\"sys_monoraw_ns\":%" PRId64,
			ptp_ns(&u.p.device), ptp_ns(&u.p.sys_realtime), ptp_ns(&u.p.sys_monoraw));
	}
	around(b, "pre", c0, rt0, raw0);
	around(b, "post", c1, rt1, raw1);
	buf_str(b, "}");
}

/* Opens the requested PTP clock and pins this thread to CPU 0 (whose TSC the reference clock is calibrated on). */
static int ptp_open(const struct req *rq, struct buf *b, cpu_set_t *orig, int *have_orig)
{
	char dev[256], name[128], path[300];
	if (!find_ptp(rq, dev, sizeof dev, name, sizeof name)) {
		buf_str(b, ",\"present\":false");
		return -2;
	}
	snprintf(path, sizeof path, "/dev/%s", dev);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(errno, "open %s", path);
	cpu_set_t one;
	*have_orig = sched_getaffinity(0, sizeof *orig, orig) == 0;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof one, &one);
	buf_str(b, ",\"present\":true,");
	ptp_describe(b, dev, name);
	return fd;
}

static void ptp_close(int fd, const cpu_set_t *orig, int have_orig)
{
	if (have_orig)
		sched_setaffinity(0, sizeof *orig, orig);
	close(fd);
}

/*
 * Reads a PTP clock ("dev" or "name" prefix, default the vmclock one) every way Linux offers:
 * clock_gettime (the driver's gettimex64), PTP_SYS_OFFSET, PTP_SYS_OFFSET_EXTENDED and
 * PTP_SYS_OFFSET_PRECISE (the driver's getcrosststamp).
 */
static int cmd_ptp_read(const struct req *rq, struct buf *b)
{
	cpu_set_t orig;
	int have_orig = 0;
	int fd = ptp_open(rq, b, &orig, &have_orig);
	if (fd < 0)
		return fd == -2 ? 0 : -1;
	ptp_method(b, fd, "gettime", 0);
	ptp_method(b, fd, "sys_offset", PTP_SYS_OFFSET);
	ptp_method(b, fd, "extended", PTP_SYS_OFFSET_EXTENDED);
	ptp_method(b, fd, "precise", PTP_SYS_OFFSET_PRECISE);
	ptp_close(fd, &orig, have_orig);
	return 0;
}

/*
 * "count" back-to-back clock_gettime reads of a PTP clock: how often, and how far at most, a reading was
 * earlier than the one before it (a monotonic clock: never).
 */
static int cmd_ptp_series(const struct req *rq, struct buf *b)
{
	long long count;
	if (arg_int(rq, "count", 1000, 2, 10000000, &count))
		return -1;
	cpu_set_t orig;
	int have_orig = 0;
	int fd = ptp_open(rq, b, &orig, &have_orig);
	if (fd < 0)
		return fd == -2 ? 0 : -1;
	struct timespec t;
	int64_t first = 0, prev = 0, max_back = 0, min_step = INT64_MAX;
	uint64_t backwards = 0, reads = 0;
	int err = 0;
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	for (long long i = 0; i < count; i++) {
		if (clock_gettime(FD_TO_CLOCKID(fd), &t)) {
			err = errno;
			break;
		}
		int64_t ns = ts_ns(&t);
		if (reads == 0) {
			first = ns;
		} else {
			if (ns < prev) {
				backwards++;
				if (prev - ns > max_back)
					max_back = prev - ns;
			}
			if (ns - prev < min_step)
				min_step = ns - prev;
		}
		prev = ns;
		reads++;
	}
	uint64_t t1 = now_ns(CLOCK_MONOTONIC);
	ptp_close(fd, &orig, have_orig);
	buf_fmt(b, ",\"reads\":%" PRIu64 ",\"backwards\":%" PRIu64 ",\"max_backwards_ns\":%" PRId64
		   ",\"min_step_ns\":%" PRId64 ",\"first_ns\":%" PRId64 ",\"last_ns\":%" PRId64 ",\"elapsed_ns\":%" PRIu64
		   ",\"errno\":",
		reads, backwards, max_back, reads > 1 ? min_step : 0, first, prev, t1 - t0);
	buf_jstr(b, err ? strerrorname_np(err) : NULL);
	return 0;
}

/* ---- RTC class devices ------------------------------------------------------------------------ */
/* Copies a name, cut to cap - 1 bytes. */
static char *copy_name(char *out, size_t cap, const char *s)
{
	size_t n = strnlen(s, cap - 1);
	memcpy(out, s, n);
	out[n] = 0;
	return out;
}

/* Basename of the device an RTC class device hangs off (/sys/class/rtc/rtcN/device: "virtio1", "00:01"), or NULL. */
static const char *rtc_parent(const char *dev, char *out, size_t cap)
{
	char path[300], link[512];
	snprintf(path, sizeof path, "/sys/class/rtc/%s/device", dev);
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n <= 0)
		return NULL;
	link[n] = 0;
	return copy_name(out, cap, strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
}

/* One RTC_RD_TIME, bracketed by the guest's CLOCK_MONOTONIC and CLOCK_REALTIME. */
struct rtc_sample {
	int err; /* 0, or the errno of a refused read */
	long long epoch_s; /* the time read, as seconds since 1970 taking the RTC to count UTC */
	struct rtc_time tm;
	uint64_t mono0, mono1, rt0, rt1;
};

static void rtc_sample(int fd, struct rtc_sample *s)
{
	memset(s, 0, sizeof *s);
	s->rt0 = now_ns(CLOCK_REALTIME);
	s->mono0 = now_ns(CLOCK_MONOTONIC);
	int r = ioctl(fd, RTC_RD_TIME, &s->tm);
	s->err = r ? errno : 0;
	s->mono1 = now_ns(CLOCK_MONOTONIC);
	s->rt1 = now_ns(CLOCK_REALTIME);
	if (!r) {
		struct tm t = { .tm_sec = s->tm.tm_sec, .tm_min = s->tm.tm_min, .tm_hour = s->tm.tm_hour,
				.tm_mday = s->tm.tm_mday, .tm_mon = s->tm.tm_mon, .tm_year = s->tm.tm_year };
		s->epoch_s = (long long)timegm(&t);
	}
}

static void buf_rtc_tm(struct buf *b, const struct rtc_time *tm)
{
	buf_fmt(b, "\"%04d-%02d-%02dT%02d:%02d:%02d\"", tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour,
		tm->tm_min, tm->tm_sec);
}

/* A sample's fields: "ok", "time", "epoch_s" or "errno", and the brackets (no leading comma). */
static void buf_rtc_sample(struct buf *b, const struct rtc_sample *s)
{
	if (s->err) {
		buf_str(b, "\"ok\":false,\"errno\":");
		buf_jstr(b, strerrorname_np(s->err));
	} else {
		buf_str(b, "\"ok\":true,\"time\":");
		buf_rtc_tm(b, &s->tm);
		buf_fmt(b, ",\"epoch_s\":%lld", s->epoch_s);
	}
	buf_fmt(b, ",\"monotonic_pre_ns\":%" PRIu64 ",\"monotonic_post_ns\":%" PRIu64 ",\"realtime_pre_ns\":%" PRIu64
		   ",\"realtime_post_ns\":%" PRIu64, s->mono0, s->mono1, s->rt0, s->rt1);
}

/* RTC_PARAM_GET of RTC_PARAM_FEATURES (Linux >= 5.16): the feature bits, or -1 when the kernel refuses it. */
static long long rtc_features(int fd)
{
	struct rtc_param p = { .param = RTC_PARAM_FEATURES, .index = 0 };
	return ioctl(fd, RTC_PARAM_GET, &p) ? -1 : (long long)p.uvalue;
}

/* The RTC class device a request names ("dev": rtcN), opened; -1 with the failure set when it cannot be. */
static int rtc_open(const struct req *rq, char *dev, size_t cap)
{
	const struct kv *d = req_get(rq, "dev");
	char path[300];
	if (!d || d->type != J_STR || strncmp(d->val, "rtc", 3) || strchr(d->val, '/'))
		return fail(0, "argument 'dev' must name an RTC class device (rtcN)");
	copy_name(dev, cap, d->val);
	snprintf(path, sizeof path, "/dev/%s", dev);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(errno, "open %s", path);
	return fd;
}

/* "name", "driver" (bound to the parent device), "parent", "alarm" (RTC_FEATURE_ALARM; null if unknown). */
static void rtc_describe(struct buf *b, const char *dev, int fd)
{
	char dir[300], path[512], name[128], drv[128], parent[128];
	snprintf(dir, sizeof dir, "/sys/class/rtc/%s", dev);
	snprintf(path, sizeof path, "%s/name", dir);
	buf_str(b, "\"dev\":");
	buf_jstr(b, dev);
	buf_str(b, ",\"name\":");
	buf_jstr(b, read_text(path, name, sizeof name));
	buf_str(b, ",\"driver\":");
	buf_jstr(b, bound_driver(dir, drv, sizeof drv));
	buf_str(b, ",\"parent\":");
	buf_jstr(b, rtc_parent(dev, parent, sizeof parent));
	long long f = fd >= 0 ? rtc_features(fd) : -1;
	if (f < 0)
		buf_str(b, ",\"alarm\":null");
	else
		buf_fmt(b, ",\"alarm\":%s,\"features\":%lld", f & (1 << RTC_FEATURE_ALARM) ? "true" : "false", f);
}

/* Every /sys/class/rtc/rtcN: its name, driver, parent, alarm feature, and an RTC_RD_TIME of /dev/rtcN. */
static int cmd_rtc(const struct req *rq, struct buf *b)
{
	(void)rq;
	char path[300];
	buf_str(b, ",\"rtcs\":[");
	DIR *d = opendir("/sys/class/rtc");
	int first = 1;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			buf_str(b, first ? "{" : ",{");
			first = 0;
			snprintf(path, sizeof path, "/dev/%s", e->d_name);
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			struct rtc_sample s;
			rtc_describe(b, e->d_name, fd);
			if (fd >= 0) {
				rtc_sample(fd, &s);
				close(fd);
			} else {
				memset(&s, 0, sizeof s);
				s.err = errno;
				s.mono0 = s.mono1 = now_ns(CLOCK_MONOTONIC);
				s.rt0 = s.rt1 = now_ns(CLOCK_REALTIME);
			}
			buf_str(b, ",");
			buf_rtc_sample(b, &s);
			buf_str(b, "}");
		}
		closedir(d);
	}
	buf_str(b, "]");
	return 0;
}

/* One RTC_RD_TIME of "dev", bracketed by the guest's CLOCK_MONOTONIC and CLOCK_REALTIME. */
static int cmd_rtc_read(const struct req *rq, struct buf *b)
{
	char dev[128];
	int fd = rtc_open(rq, dev, sizeof dev);
	if (fd < 0)
		return -1;
	struct rtc_sample s;
	buf_str(b, ",");
	rtc_describe(b, dev, fd);
	rtc_sample(fd, &s);
	close(fd);
	buf_str(b, ",");
	buf_rtc_sample(b, &s);
	return 0;
}

/*
 * The RTC's next tick: RTC_RD_TIME every gap_us until the second read changes. The tick lies between the start of
 * the last read showing the old second (before.monotonic_pre_ns) and the end of the first showing the new one
 * (after.monotonic_post_ns). Returns 0, or the errno of a failed read, or ETIMEDOUT.
 */
struct rtc_edge { struct rtc_sample before, after; unsigned reads; uint64_t max_read_ns; };

static int rtc_edge(int fd, uint64_t timeout_ns, unsigned gap_us, struct rtc_edge *e)
{
	memset(e, 0, sizeof *e);
	rtc_sample(fd, &e->before);
	e->reads = 1;
	e->max_read_ns = e->before.mono1 - e->before.mono0;
	if (e->before.err)
		return e->before.err;
	uint64_t deadline = e->before.mono1 + timeout_ns;
	for (;;) {
		rtc_sample(fd, &e->after);
		e->reads++;
		if (e->after.mono1 - e->after.mono0 > e->max_read_ns)
			e->max_read_ns = e->after.mono1 - e->after.mono0;
		if (e->after.err)
			return e->after.err;
		if (e->after.epoch_s != e->before.epoch_s)
			return 0;
		if (e->after.mono1 > deadline)
			return ETIMEDOUT;
		e->before = e->after;
		if (gap_us)
			usleep(gap_us);
	}
}

static void buf_rtc_edge(struct buf *b, const char *key, int err, const struct rtc_edge *e)
{
	buf_fmt(b, ",\"%s\":{\"ok\":%s,\"errno\":", key, err ? "false" : "true");
	buf_jstr(b, err ? strerrorname_np(err) : NULL);
	buf_fmt(b, ",\"reads\":%u,\"max_read_ns\":%" PRIu64 ",\"before\":{", e->reads, e->max_read_ns);
	buf_rtc_sample(b, &e->before);
	buf_str(b, "},\"after\":{");
	buf_rtc_sample(b, &e->after);
	buf_str(b, "}}");
}

/* RTC_WKALM_RD as "key":{...}: the RTC core's alarm (from the driver's read_alarm when it registered the RTC,
 * then what was set through the RTC class). */
static void buf_rtc_wkalm(struct buf *b, const char *key, int fd)
{
	struct rtc_wkalrm a;
	memset(&a, 0, sizeof a);
	int r = ioctl(fd, RTC_WKALM_RD, &a);
	buf_fmt(b, ",\"%s\":{", key);
	if (r) {
		buf_str(b, "\"ok\":false,\"errno\":");
		buf_jstr(b, strerrorname_np(errno));
	} else {
		struct tm t = { .tm_sec = a.time.tm_sec, .tm_min = a.time.tm_min, .tm_hour = a.time.tm_hour,
				.tm_mday = a.time.tm_mday, .tm_mon = a.time.tm_mon, .tm_year = a.time.tm_year };
		buf_fmt(b, "\"ok\":true,\"enabled\":%s,\"pending\":%s,\"time\":", a.enabled ? "true" : "false",
			a.pending ? "true" : "false");
		buf_rtc_tm(b, &a.time);
		buf_fmt(b, ",\"epoch_s\":%lld", (long long)timegm(&t));
	}
	buf_str(b, "}");
}

static int rtc_set_wkalm(int fd, long long epoch_s, int enabled)
{
	struct rtc_wkalrm a;
	struct tm t;
	time_t when = (time_t)epoch_s;
	memset(&a, 0, sizeof a);
	gmtime_r(&when, &t);
	a.enabled = (unsigned char)enabled;
	a.time.tm_sec = t.tm_sec;
	a.time.tm_min = t.tm_min;
	a.time.tm_hour = t.tm_hour;
	a.time.tm_mday = t.tm_mday;
	a.time.tm_mon = t.tm_mon;
	a.time.tm_year = t.tm_year;
	a.time.tm_wday = -1;
	a.time.tm_yday = -1;
	a.time.tm_isdst = -1;
	return ioctl(fd, RTC_WKALM_SET, &a) ? errno : 0;
}

/*
 * An alarm through the RTC class, seen by the guest: waits for the RTC's next tick (second S; reads gap_us apart),
 * sets the alarm to S + ahead_s with RTC_WKALM_SET (enabled), waits in poll() for the alarm interrupt (the RTC core
 * wakes readers of /dev/rtcN when the driver reports the device's alarm notification and a read of the clock shows
 * the alarm time reached), reads it, then waits for the tick after the wake-up; RTC_AIE_OFF at the end, whatever
 * happened. Times are the guest's CLOCK_MONOTONIC (and CLOCK_REALTIME); the host judges them.
 */
static int cmd_rtc_alarm(const struct req *rq, struct buf *b)
{
	long long ahead, wait_ms, edge_ms;
	char dev[128];
	long long gap_us;
	if (arg_int(rq, "ahead_s", 2, 1, 3600, &ahead) || arg_int(rq, "edge_ms", 1500, 100, 10000, &edge_ms) ||
	    arg_int(rq, "gap_us", 2000, 0, 100000, &gap_us))
		return -1;
	if (arg_int(rq, "wait_ms", ahead * 1000 + 5000, 0, 600000, &wait_ms))
		return -1;
	int fd = rtc_open(rq, dev, sizeof dev);
	if (fd < 0)
		return -1;
	struct rtc_edge e0, e1;
	int err0 = rtc_edge(fd, (uint64_t)edge_ms * 1000000u, (unsigned)gap_us, &e0);
	if (err0) {
		close(fd);
		return fail(err0, "no tick of %s within %lld ms (%u reads, last %lld)", dev, edge_ms, e0.reads,
			    e0.after.epoch_s);
	}
	long long alarm = e0.after.epoch_s + ahead;
	uint64_t set0 = now_ns(CLOCK_MONOTONIC);
	int serr = rtc_set_wkalm(fd, alarm, 1);
	uint64_t set1 = now_ns(CLOCK_MONOTONIC);
	if (serr) {
		ioctl(fd, RTC_AIE_OFF, 0);
		close(fd);
		return fail(serr, "RTC_WKALM_SET of %s to %lld (enabled)", dev, alarm);
	}
	buf_str(b, ",");
	rtc_describe(b, dev, fd);
	buf_rtc_edge(b, "edge_before", 0, &e0);
	buf_fmt(b, ",\"alarm_epoch_s\":%lld,\"set_monotonic_pre_ns\":%" PRIu64 ",\"set_monotonic_post_ns\":%" PRIu64,
		alarm, set0, set1);
	buf_rtc_wkalm(b, "wkalm_after_set", fd);

	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t w0 = now_ns(CLOCK_MONOTONIC), deadline = w0 + (uint64_t)wait_ms * 1000000u;
	int r;
	for (;;) {
		uint64_t now = now_ns(CLOCK_MONOTONIC);
		int left = now >= deadline ? 0 : (int)((deadline - now + 999999u) / 1000000u);
		r = poll(&p, 1, left);
		if (!(r < 0 && errno == EINTR))
			break;
	}
	int perr = r < 0 ? errno : 0;
	uint64_t wake_mono = now_ns(CLOCK_MONOTONIC), wake_rt = now_ns(CLOCK_REALTIME);
	int fired = r > 0 && (p.revents & POLLIN);
	unsigned long data = 0;
	int rerr = 0;
	if (fired && read(fd, &data, sizeof data) != (ssize_t)sizeof data)
		rerr = errno ? errno : EIO;
	buf_fmt(b, ",\"fired\":%s,\"wait_ms\":%lld,\"wait_monotonic_pre_ns\":%" PRIu64 ",\"wake_monotonic_ns\":%" PRIu64
		   ",\"wake_realtime_ns\":%" PRIu64 ",\"revents\":%d,\"poll_errno\":",
		fired ? "true" : "false", wait_ms, w0, wake_mono, wake_rt, r > 0 ? p.revents : 0);
	buf_jstr(b, perr ? strerrorname_np(perr) : NULL);
	buf_fmt(b, ",\"data\":%lu,\"events\":%lu,\"count\":%lu,\"read_errno\":", data, data & 0xff, data >> 8);
	buf_jstr(b, rerr ? strerrorname_np(rerr) : NULL);
	if (fired) {
		int err1 = rtc_edge(fd, (uint64_t)edge_ms * 1000000u, (unsigned)gap_us, &e1);
		buf_rtc_edge(b, "edge_after", err1, &e1);
	} else {
		buf_str(b, ",\"edge_after\":null");
	}
	int aerr = ioctl(fd, RTC_AIE_OFF, 0) ? errno : 0;
	buf_str(b, ",\"aie_off_errno\":");
	buf_jstr(b, aerr ? strerrorname_np(aerr) : NULL);
	close(fd);
	return 0;
}

/*
 * The RTC core's alarm of "dev" (RTC_WKALM_RD), after, optionally, RTC_AIE_OFF ("aie_off": true) and RTC_WKALM_SET
 * ("epoch_s" given, with "enabled", default true).
 */
static int cmd_rtc_wkalm(const struct req *rq, struct buf *b)
{
	long long epoch;
	int enabled, aie_off;
	char dev[128];
	const struct kv *when = req_get(rq, "epoch_s");
	if (arg_int(rq, "epoch_s", 0, 0, 1LL << 40, &epoch) || arg_bool(rq, "enabled", 1, &enabled) ||
	    arg_bool(rq, "aie_off", 0, &aie_off))
		return -1;
	int fd = rtc_open(rq, dev, sizeof dev);
	if (fd < 0)
		return -1;
	if (aie_off && ioctl(fd, RTC_AIE_OFF, 0)) {
		int e = errno;
		close(fd);
		return fail(e, "RTC_AIE_OFF on %s", dev);
	}
	if (when) {
		int e = rtc_set_wkalm(fd, epoch, enabled);
		if (e) {
			close(fd);
			return fail(e, "RTC_WKALM_SET of %s to %lld (%s)", dev, epoch, enabled ? "enabled" : "disabled");
		}
	}
	buf_str(b, ",");
	rtc_describe(b, dev, fd);
	buf_fmt(b, ",\"set\":%s", when ? "true" : "false");
	buf_rtc_wkalm(b, "wkalm", fd);
	close(fd);
	return 0;
}

/* The RTC class device whose parent device is `parent`, into dev; 0 when there is none. */
static int rtc_of_parent(const char *parent, char *dev, size_t cap)
{
	char p[128];
	int found = 0;
	DIR *d = opendir("/sys/class/rtc");
	if (!d)
		return 0;
	struct dirent *e;
	while (!found && (e = readdir(d)))
		if (e->d_name[0] != '.' && rtc_parent(e->d_name, p, sizeof p) && !strcmp(p, parent)) {
			copy_name(dev, cap, e->d_name);
			found = 1;
		}
	closedir(d);
	return found;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	ssize_t n = write(fd, text, strlen(text));
	int e = n == (ssize_t)strlen(text) ? 0 : n < 0 ? errno : EIO;
	close(fd);
	return e;
}

/*
 * Unbinds the virtio_rtc driver from the virtio device behind "dev" and binds it again: the driver resets the device
 * and registers a new RTC class device, reading the device's alarm (read_alarm) as it does. Answers the new
 * device's name and the RTC core's alarm right after registration (RTC_WKALM_RD), i.e. what the device answered.
 */
static int cmd_rtc_rebind(const struct req *rq, struct buf *b)
{
	static const char drv_dir[] = "/sys/bus/virtio/drivers/virtio_rtc";
	long long tmo;
	char parent[128], dir[300], drv[128], dev[128], now_dev[128] = "", path[300];
	if (arg_int(rq, "timeout_ms", 5000, 100, 60000, &tmo))
		return -1;
	const struct kv *d = req_get(rq, "dev");
	if (!d || d->type != J_STR || strncmp(d->val, "rtc", 3) || strchr(d->val, '/'))
		return fail(0, "argument 'dev' must name an RTC class device (rtcN)");
	copy_name(dev, sizeof dev, d->val);
	snprintf(dir, sizeof dir, "/sys/class/rtc/%s", dev);
	if (!rtc_parent(dev, parent, sizeof parent))
		return fail(ENOENT, "%s has no parent device", dir);
	if (!bound_driver(dir, drv, sizeof drv) || strcmp(drv, "virtio_rtc"))
		return fail(EINVAL, "%s is not virtio_rtc's (its parent %s is bound to %s)", dev, parent,
			    bound_driver(dir, drv, sizeof drv) ? drv : "no driver");
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	snprintf(path, sizeof path, "%s/unbind", drv_dir);
	int e = write_text(path, parent);
	if (e)
		return fail(e, "write %s to %s", parent, path);
	uint64_t t1 = now_ns(CLOCK_MONOTONIC);
	snprintf(path, sizeof path, "%s/bind", drv_dir);
	e = write_text(path, parent);
	uint64_t t2 = now_ns(CLOCK_MONOTONIC);
	if (e)
		return fail(e, "write %s to %s (virtio_rtc did not bind again)", parent, path);
	uint64_t deadline = t2 + (uint64_t)tmo * 1000000u;
	while (!rtc_of_parent(parent, now_dev, sizeof now_dev)) {
		if (now_ns(CLOCK_MONOTONIC) > deadline)
			return fail(ETIMEDOUT, "virtio_rtc bound %s again but registered no RTC class device within %lld ms",
				    parent, tmo);
		msleep(5);
	}
	snprintf(path, sizeof path, "/dev/%s", now_dev);
	int fd = -1;
	while ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 && errno == ENOENT && now_ns(CLOCK_MONOTONIC) <= deadline)
		msleep(5); /* devtmpfs creates the node as the device is added */
	if (fd < 0)
		return fail(errno, "open %s", path);
	buf_str(b, ",");
	rtc_describe(b, now_dev, fd);
	buf_str(b, ",\"old_dev\":");
	buf_jstr(b, dev);
	buf_fmt(b, ",\"unbind_ns\":%" PRIu64 ",\"bind_ns\":%" PRIu64, t1 - t0, t2 - t1);
	buf_rtc_wkalm(b, "wkalm", fd);
	close(fd);
	return 0;
}

/* ---- ACPI event counters ---------------------------------------------------------------------- */
/*
 * /sys/firmware/acpi/interrupts: the SCI count, the SCIs no handler claimed (sci_not), and every GPE
 * and fixed event whose count is not zero ("gpe17": "3   enabled  unmasked" gives 3).
 */
static int cmd_acpi_events(const struct req *rq, struct buf *b)
{
	(void)rq;
	const char *base = "/sys/firmware/acpi/interrupts";
	char path[512], val[128];
	DIR *d = opendir(base);
	if (!d) {
		buf_str(b, ",\"present\":false");
		return 0;
	}
	buf_str(b, ",\"present\":true,\"counts\":{");
	int first = 1;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", base, e->d_name);
		if (!read_text(path, val, sizeof val))
			continue;
		char *end;
		unsigned long long n = strtoull(val, &end, 10);
		if (end == val)
			continue;
		int always = !strcmp(e->d_name, "sci") || !strcmp(e->d_name, "sci_not") || !strcmp(e->d_name, "gpe_all");
		if (!n && !always)
			continue;
		buf_fmt(b, "%s\"%s\":%llu", first ? "" : ",", e->d_name, n);
		first = 0;
	}
	closedir(d);
	buf_str(b, "}");
	/* /proc/interrupts lines of ACPI's own interrupts: the SCI ("acpi") and Generic Event Devices ("ACPI:Ged"),
	 * summed over the CPUs, keyed "<irq> <name>". */
	buf_str(b, ",\"irqs\":{");
	FILE *f = fopen("/proc/interrupts", "re");
	first = 1;
	if (f) {
		char line[1024];
		while (fgets(line, sizeof line, f)) {
			if (!strstr(line, "acpi") && !strstr(line, "ACPI") && !strstr(line, "Ged"))
				continue;
			char *p = line, *end;
			while (*p == ' ')
				p++;
			char irq[32];
			size_t k = 0;
			while (*p && *p != ':' && k + 1 < sizeof irq)
				irq[k++] = *p++;
			irq[k] = 0;
			if (*p != ':')
				continue;
			p++;
			unsigned long long sum = 0;
			for (;;) {
				unsigned long long v = strtoull(p, &end, 10);
				if (end == p)
					break;
				sum += v;
				p = end;
			}
			while (*p == ' ' || *p == '\t')
				p++;
			p[strcspn(p, "\n")] = 0;
			char key[160];
			snprintf(key, sizeof key, "%s %s", irq, p);
			buf_str(b, first ? "" : ",");
			buf_jstr(b, key);
			buf_fmt(b, ":%llu", sum);
			first = 0;
		}
		fclose(f);
	}
	buf_str(b, "}");
	return 0;
}

/* Devices on the virtio bus with this virtio device id ("0x0011" for RTC), and how many are bound to driver. */
static void virtio_devices(const char *id, const char *driver, int *present, int *bound)
{
	char path[512], val[32], drv[128];
	*present = *bound = 0;
	DIR *d = opendir("/sys/bus/virtio/devices");
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/sys/bus/virtio/devices/%s/device", e->d_name);
		if (!read_text(path, val, sizeof val) || strtol(val, NULL, 0) != strtol(id, NULL, 0))
			continue;
		(*present)++;
		snprintf(path, sizeof path, "/sys/bus/virtio/devices/%s/driver", e->d_name);
		ssize_t n = readlink(path, drv, sizeof drv - 1);
		if (n > 0) {
			drv[n] = 0;
			if (!strcmp(strrchr(drv, '/') ? strrchr(drv, '/') + 1 : drv, driver))
				(*bound)++;
		}
	}
	closedir(d);
}

/*
 * The kernel, and what each time device's driver did: ptp_vmclock loaded and /dev/vmclock0 present; virtio-rtc
 * devices on the virtio bus and how many the virtio_rtc driver bound (a module, or built in).
 */
static int cmd_version(const struct req *rq, struct buf *b)
{
	(void)rq;
	struct utsname u;
	struct stat st;
	char src[128];
	int rtc_present, rtc_bound;
	uname(&u);
	buf_str(b, ",\"kernel\":");
	buf_jstr(b, u.release);
	buf_fmt(b, ",\"driver_loaded\":%s,\"driver_srcversion\":", stat("/sys/module/ptp_vmclock", &st) ? "false" : "true");
	buf_jstr(b, read_text("/sys/module/ptp_vmclock/srcversion", src, sizeof src));
	buf_fmt(b, ",\"device_present\":%s", stat(VMCLOCK_DEV, &st) ? "false" : "true");
	virtio_devices("0x0011", "virtio_rtc", &rtc_present, &rtc_bound);
	buf_fmt(b, ",\"virtio_rtc\":{\"devices\":%d,\"bound\":%d,\"driver_registered\":%s,\"srcversion\":",
		rtc_present, rtc_bound, stat("/sys/bus/virtio/drivers/virtio_rtc", &st) ? "false" : "true");
	buf_jstr(b, read_text("/sys/module/virtio_rtc/srcversion", src, sizeof src));
	/* How the kernel was entered, from boot_params.hdr (/sys/kernel/boot_params/data): a bzImage loader copies the
	 * image's set-up header ("HdrS" at 0x202, its protocol version at 0x206); Linux's PVH entry code fills a
	 * zeroed one with version 0x20c only. null and -1 when unreadable. */
	unsigned char hdr[16];
	int bp = open("/sys/kernel/boot_params/data", O_RDONLY | O_CLOEXEC);
	int have = bp >= 0 && pread(bp, hdr, sizeof hdr, 0x202) == (ssize_t)sizeof hdr;
	if (bp >= 0)
		close(bp);
	buf_fmt(b, "},\"boot_params\":{\"header\":%s,\"version\":%d,\"type_of_loader\":%d},\"agent\":",
		!have ? "null" : memcmp(hdr, "HdrS", 4) ? "false" : "true",
		have ? hdr[4] | hdr[5] << 8 : -1, have ? hdr[0x210 - 0x202] : -1);
	buf_jstr(b, AGENT_VERSION);
	return 0;
}

static int cmd_stress(const struct req *rq, struct buf *b)
{
	long long iters, len;
	int err = 0;
	static uint8_t cur[PAGE], prev[PAGE];
	if (arg_int(rq, "iterations", 100000, 1, 1000000000LL, &iters) ||
	    arg_int(rq, "len", PAGE, 16, PAGE, &len))
		return -1;
	const volatile uint8_t *pg = page_map(&err);
	if (!pg)
		return fail(err, "mmap %s", VMCLOCK_DEV);
	uint64_t retries = 0, torn = 0, ok = 0;
	uint32_t prev_seq = 1; /* odd: no previous copy */
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	for (long long i = 0; i < iters; i++) {
		uint32_t s1 = seq_of(pg);
		if (s1 & 1) {
			retries++;
			continue;
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		memcpy(cur, (const void *)pg, (size_t)len);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (seq_of(pg) != s1) {
			retries++;
			continue;
		}
		ok++;
		/* Two copies under the same even, unchanged seq_count must be identical. */
		if (prev_seq == s1 && memcmp(cur, prev, (size_t)len))
			torn++;
		memcpy(prev, cur, (size_t)len);
		prev_seq = s1;
	}
	uint64_t t1 = now_ns(CLOCK_MONOTONIC);
	buf_fmt(b, ",\"iterations\":%lld,\"len\":%lld,\"consistent\":%" PRIu64 ",\"retries\":%" PRIu64
		   ",\"torn\":%" PRIu64 ",\"elapsed_ns\":%" PRIu64 ",\"seq_count\":%" PRIu32,
		iters, len, ok, retries, torn, t1 - t0, seq_of(pg));
	return 0;
}

static int g_poweroff;

static int cmd_poweroff(const struct req *rq, struct buf *b)
{
	(void)rq;
	(void)b;
	g_poweroff = 1; /* after the response is written */
	return 0;
}

/* Appends a reply's outcome: "ok":true and the command's fields, or "ok":false,"error":...[,"errno":...]. */
static void put_outcome(int rc, const struct buf *body, struct buf *out)
{
	if (rc == 0) {
		buf_str(out, "\"ok\":true");
		if (body->len)
			buf_add(out, body->p, body->len);
	} else {
		buf_str(out, "\"ok\":false,\"error\":");
		buf_jstr(out, g_err);
		if (g_errno) {
			buf_str(out, ",\"errno\":");
			buf_jstr(out, g_errno);
		}
	}
}

/* Appends {"ok":...}: what `fn` would reply on its own, without args. */
static void sub_reply(int (*fn)(const struct req *, struct buf *), struct buf *b)
{
	static const struct req none;
	struct buf body = { 0 };
	g_err[0] = 0;
	g_errno = NULL;
	int rc = fn(&none, &body);
	buf_str(b, "{");
	put_outcome(rc, &body, b);
	buf_str(b, "}");
	free(body.p);
}

/* One probe of the host's history in one round trip (each a few ms under TCG, about 45 per history): read() of
 * the page, `clock_samples` readings of the clocks and the ACPI event counters, in that order, each part as the
 * reply of its own command, so that a failed read() still comes with the clocks. */
static int cmd_probe(const struct req *rq, struct buf *b)
{
	long long samples;
	if (arg_int(rq, "clock_samples", 1, 1, 64, &samples))
		return -1;
	buf_str(b, ",\"read\":");
	sub_reply(cmd_read, b);
	buf_str(b, ",\"clocks\":[");
	for (long long i = 0; i < samples; i++) {
		if (i)
			buf_str(b, ",");
		sub_reply(cmd_clocks, b);
	}
	buf_str(b, "],\"acpi_events\":");
	sub_reply(cmd_acpi_events, b);
	g_err[0] = 0;
	g_errno = NULL;
	return 0;
}

static const struct { const char *name; int (*fn)(const struct req *, struct buf *); } commands[] = {
	{ "ping", cmd_ping }, { "read", cmd_read }, { "mmap", cmd_mmap }, { "poll", cmd_poll },
	{ "acpi", cmd_acpi }, { "clocks", cmd_clocks }, { "ptp", cmd_ptp }, { "ptp_read", cmd_ptp_read },
	{ "ptp_series", cmd_ptp_series }, { "rtc", cmd_rtc }, { "rtc_read", cmd_rtc_read },
	{ "rtc_alarm", cmd_rtc_alarm }, { "rtc_wkalm", cmd_rtc_wkalm }, { "rtc_rebind", cmd_rtc_rebind },
	{ "acpi_events", cmd_acpi_events }, { "version", cmd_version }, { "probe", cmd_probe },
	{ "stress", cmd_stress }, { "poweroff", cmd_poweroff },
};

/* Builds the response line for one request line. */
static void handle_line(const char *line, struct buf *out)
{
	static struct req rq;
	struct buf body = { 0 };
	const char *perr = NULL;
	int rc;

	g_err[0] = 0;
	g_errno = NULL;
	out->len = 0;
	buf_str(out, "{\"id\":");
	/* Requests are flat objects. If a stale fragment (left by a host that disconnected mid-line)
	 * precedes the request, the request is what starts at the line's last '{'. */
	const char *last = strrchr(line, '{');
	if (parse_request(line, &rq, &perr) && (!last || last == line || parse_request(last, &rq, &perr))) {
		buf_str(out, "null,\"ok\":false,\"error\":");
		char msg[128];
		snprintf(msg, sizeof msg, "bad request: %s", perr);
		buf_jstr(out, msg);
		buf_str(out, "}\n");
		return;
	}
	const struct kv *id = req_get(&rq, "id");
	if (!id || id->type == J_NULL) buf_str(out, "null");
	else if (id->type == J_STR) buf_jstr(out, id->val);
	else buf_str(out, id->val);

	const struct kv *cmd = req_get(&rq, "cmd");
	if (!cmd || cmd->type != J_STR) {
		rc = fail(0, "missing \"cmd\"");
	} else {
		rc = fail(0, "unknown command '%s'", cmd->val);
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (!strcmp(commands[i].name, cmd->val)) {
				g_err[0] = 0;
				rc = commands[i].fn(&rq, &body);
				break;
			}
	}
	buf_str(out, ",");
	put_outcome(rc, &body, out);
	buf_str(out, "}\n");
	free(body.p);
}

/* ---- the channel ------------------------------------------------------------------------------ */
/* Finds /dev/vportNpM whose /sys/class/virtio-ports/vportNpM/name is PORT_NAME. */
static int find_port(char *dev, size_t cap)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	char path[512], name[128];
	int found = 0;
	if (!d)
		return 0;
	struct dirent *e;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", e->d_name);
		if (read_text(path, name, sizeof name) && !strcmp(name, PORT_NAME)) {
			snprintf(dev, cap, "/dev/%s", e->d_name);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

static int open_tty(const char *dev)
{
	int fd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	struct termios t;
	if (fd < 0)
		return -1;
	if (tcgetattr(fd, &t)) {
		close(fd);
		return -1;
	}
	cfmakeraw(&t);
	cfsetispeed(&t, B115200);
	cfsetospeed(&t, B115200);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t)) {
		close(fd);
		return -1;
	}
	tcflush(fd, TCIOFLUSH);
	return fd;
}

/* Opens the channel: the named virtio port; after ~1 s without it, /dev/ttyS1. */
static int open_channel(uint64_t started, char *dev, size_t cap)
{
	if (find_port(dev, cap)) {
		int fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	if (now_ns(CLOCK_MONOTONIC) - started < 1000000000u)
		return -1;
	snprintf(dev, cap, "%s", FALLBACK_TTY);
	return open_tty(dev);
}

/* Writes all of s; waits for room while the host is connected, drops the rest otherwise. */
static void write_all(int fd, const char *s, size_t n)
{
	uint64_t deadline = now_ns(CLOCK_MONOTONIC) + 5000000000u;
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w > 0) {
			s += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN)
			return; /* EPIPE, ENODEV, EIO: the host went away; the request is lost */
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		if (poll(&p, 1, 5) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)) && !(p.revents & POLLOUT))
			return;
		if (now_ns(CLOCK_MONOTONIC) > deadline)
			return;
	}
}

/* ---- vsock: the transport of VMMs without virtio-console (Firecracker, Cloud Hypervisor, QEMU's vhost-user-vsock) */
/* Opens the listening socket on VSOCK_PORT; -1 while the kernel has no vsock (module not loaded). */
static int open_vsock_listener(void)
{
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = VSOCK_PORT };
	if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 1)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One host connection: the virtio-serial port (kept open while no host is attached) or an accepted vsock stream. */
struct chan {
	int fd;
	int stream; /* vsock: EOF or HUP ends the connection; virtio-serial: HUP means "no host yet" */
	size_t inlen;
	int overlong; /* discarding the rest of a line that did not fit */
	char in[MAX_LINE];
};

static void chan_reset(struct chan *c)
{
	c->inlen = 0;
	c->overlong = 0;
}

static void chan_close(struct chan *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	chan_reset(c);
}

/* Reads what the host sent on c and answers each complete line. */
static void chan_serve(struct chan *c, struct buf *out)
{
	ssize_t n = read(c->fd, c->in + c->inlen, sizeof c->in - 1 - c->inlen);
	if (n == 0) { /* host disconnected */
		if (c->stream)
			chan_close(c);
		else
			chan_reset(c);
		return;
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (c->stream || errno == ENODEV || errno == EBADF) /* port unplugged: find it again */
			chan_close(c);
		return;
	}
	c->inlen += (size_t)n;
	c->in[c->inlen] = 0;
	char *start = c->in, *nl;
	while ((nl = memchr(start, '\n', c->inlen - (size_t)(start - c->in)))) {
		*nl = 0;
		if (nl > start && nl[-1] == '\r')
			nl[-1] = 0;
		if (c->overlong) {
			c->overlong = 0;
		} else if (*start) {
			handle_line(start, out);
			write_all(c->fd, out->p, out->len);
			if (g_poweroff) {
				sync();
				reboot(RB_POWER_OFF);
				g_poweroff = 0;
			}
		}
		start = nl + 1;
	}
	c->inlen -= (size_t)(start - c->in);
	memmove(c->in, start, c->inlen);
	if (c->inlen == sizeof c->in - 1) {
		static const char msg[] = "{\"id\":null,\"ok\":false,\"error\":\"request line too long\"}\n";
		if (!c->overlong)
			write_all(c->fd, msg, sizeof msg - 1);
		c->overlong = 1;
		c->inlen = 0;
	}
}

/*
 * Serves whichever transport the machine has, found by itself: the virtio-serial port (falling back to /dev/ttyS1)
 * and a vsock listener on VSOCK_PORT, both at once; one vsock connection at a time, a new one replacing the old
 * (a host that reconnects has given up on the old one).
 */
int main(void)
{
	static struct chan serial = { .fd = -1 }, vconn = { .fd = -1, .stream = 1 };
	struct buf out = { 0 };
	char dev[280] = "", announced[280] = "";
	uint64_t started = now_ns(CLOCK_MONOTONIC), next_serial = 0, next_vsock = 0;
	int listener = -1, serial_hup = 0;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stderr, NULL, _IONBF, 0);
	for (;;) {
		uint64_t now = now_ns(CLOCK_MONOTONIC);
		int early = now - started < 1000000000u;
		if (serial.fd < 0 && now >= next_serial) {
			serial.fd = open_channel(started, dev, sizeof dev);
			chan_reset(&serial);
			if (serial.fd < 0) {
				next_serial = now + (early ? 5 : 100) * 1000000u;
			} else if (strcmp(dev, announced)) {
				fprintf(stderr, "vmclock-agent: ready version=%s port=%s\n", AGENT_VERSION, dev);
				snprintf(announced, sizeof announced, "%s", dev);
			}
		}
		if (listener < 0 && now >= next_vsock) {
			listener = open_vsock_listener();
			if (listener < 0)
				next_vsock = now + (early ? 5 : 200) * 1000000u;
			else
				fprintf(stderr, "vmclock-agent: ready version=%s port=vsock:%d\n", AGENT_VERSION, VSOCK_PORT);
		}
		/* A port with no host attached polls as HUP at once: look at it again in 5 ms, not in a busy loop,
		 * while vsock traffic still wakes the poll immediately. */
		struct pollfd p[3] = {
			{ .fd = serial_hup ? -1 : serial.fd, .events = POLLIN },
			{ .fd = listener, .events = POLLIN },
			{ .fd = vconn.fd, .events = POLLIN },
		};
		int tmo = (serial.fd < 0 || listener < 0 || serial_hup) ? 5 : 1000;
		serial_hup = 0;
		int r = poll(p, 3, tmo);
		if (r < 0) {
			if (errno != EINTR)
				msleep(5);
			continue;
		}
		if (r == 0)
			continue;
		if (p[1].revents & POLLIN) {
			int c = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (c >= 0) {
				chan_close(&vconn);
				vconn.fd = c;
			}
		} else if (p[1].revents & (POLLERR | POLLNVAL)) {
			close(listener);
			listener = -1;
		}
		if (p[2].revents & POLLIN)
			chan_serve(&vconn, &out);
		else if (p[2].revents & (POLLHUP | POLLERR | POLLNVAL))
			chan_close(&vconn);
		if (p[0].revents & POLLNVAL) {
			chan_close(&serial);
		} else if (p[0].revents & POLLIN) {
			chan_serve(&serial, &out);
		} else if (p[0].revents & POLLHUP) {
			/* POLLHUP: no host connected (virtio-serial). Drop any half request and wait. */
			chan_reset(&serial);
			serial_hup = 1;
		}
	}
}

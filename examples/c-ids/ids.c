/*
 * ids.c - an intrusion-detection module for vmscope, in C, using only vmscope.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * It consumes the `files` module's events and publishes an `alert` event when a guest process
 *   - opens (or creates) a file under one of the sensitive paths (rule "sensitive_path"), or
 *   - writes under a watched directory: opens a file there for writing, creates, writes, truncates,
 *     renames, links, unlinks, makes or removes a directory, or changes modes or owners
 *     (rule "write_under_watched").
 * A failed attempt is an alert too (its `error` field says how it failed).
 *
 * Options (vmscope run --module-option ids.KEY=VALUE):
 *   paths=/etc/shadow:/root/.ssh   sensitive paths, `:`-separated (replace the defaults)
 *   watch=/etc:/boot               watched directories, `:`-separated (default /etc)
 * A path covers itself and everything under it.
 *
 * Build: cc -shared -fPIC -std=c99 -O2 -Wall -Wextra -I ../../crates/vmscope-abi/include \
 *           -o libvmscope_ids.so ids.c
 */
#include <stdio.h>
#include <string.h>

#include <vmscope.h>

VMSCOPE_EXPORT const uint32_t vmscope_module_abi_version = VMSCOPE_ABI_VERSION;

#define MAX_PATHS 32
#define MAX_PATH_LEN 256

struct path_list {
    size_t n;
    char path[MAX_PATHS][MAX_PATH_LEN];
};

/* Written by init and configure only (one thread, before any event); read-only afterwards, so
 * concurrent on_event calls need no lock. */
static const struct vmscope_host *host;
static struct path_list sensitive;
static struct path_list watched;

static const char *const default_sensitive[] = {"/etc/shadow", "/etc/gshadow", "/etc/sudoers",
                                                "/root/.ssh", NULL};
static const char *const depends[] = {"files", NULL};

/* Parses "a:b:c" into `list`. */
static int set_list(struct path_list *list, const char *value, char *error, size_t error_size) {
    const char *p = value;
    list->n = 0;
    while (*p) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len > 1 && p[len - 1] == '/')
            len--; /* "/etc/" covers what "/etc" covers */
        if (len > 0) {
            if (p[0] != '/' || len >= MAX_PATH_LEN || list->n == MAX_PATHS) {
                snprintf(error, error_size,
                         "expected up to %d absolute paths separated by `:`", MAX_PATHS);
                return VMSCOPE_ERROR;
            }
            memcpy(list->path[list->n], p, len);
            list->path[list->n][len] = '\0';
            list->n++;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return VMSCOPE_OK;
}

/* Whether `path` is `dir` or lies under it. */
static int under(const char *path, const char *dir) {
    size_t n = strlen(dir);
    if (strcmp(dir, "/") == 0)
        return path[0] == '/';
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static const char *match(const struct path_list *list, const char *path) {
    size_t i;
    if (!path)
        return NULL;
    for (i = 0; i < list->n; i++)
        if (under(path, list->path[i]))
            return list->path[i];
    return NULL;
}

static int is_write(const struct vmscope_file *f) {
    static const char *const writes[] = {"create", "write", "truncate", "rename", "link",
                                         "symlink", "unlink", "mkdir", "rmdir", "chmod",
                                         "chown", NULL};
    size_t i;
    if (strcmp(f->op, "open") == 0)
        return f->flags && (strstr(f->flags, "O_WRONLY") || strstr(f->flags, "O_RDWR"));
    for (i = 0; writes[i]; i++)
        if (strcmp(f->op, writes[i]) == 0)
            return 1;
    return 0;
}

static void put_str(struct vmscope_field *f, const char *name, const char *s) {
    f->name = name;
    f->value.type = s ? VMSCOPE_VALUE_STR : VMSCOPE_VALUE_NULL;
    f->value.as.s = s;
}

static void put_int(struct vmscope_field *f, const char *name, int64_t i) {
    f->name = name;
    f->value.type = VMSCOPE_VALUE_INT;
    f->value.as.i = i;
}

static int configure(void *state, const char *key, const char *value, char *error,
                     size_t error_size) {
    (void)state;
    if (strcmp(key, "paths") == 0)
        return set_list(&sensitive, value, error, error_size);
    if (strcmp(key, "watch") == 0)
        return set_list(&watched, value, error, error_size);
    snprintf(error, error_size, "unknown option `%s` (known: paths, watch)", key);
    return VMSCOPE_ERROR;
}

static int on_event(void *state, struct vmscope_ctx *ctx, const struct vmscope_event *ev) {
    const struct vmscope_file *f = ev->file;
    struct vmscope_field fields[12];
    const char *rule = NULL, *matched = NULL, *severity = NULL, *path;
    size_t n = 0;
    uint64_t cr3;
    (void)state;
    if (ev->kind != VMSCOPE_KIND_FILE || !f || !f->op)
        return VMSCOPE_OK; /* summaries, and kinds we did not ask for */
    path = f->path;
    if ((strcmp(f->op, "open") == 0 || strcmp(f->op, "create") == 0) &&
        (matched = match(&sensitive, path)) != NULL) {
        rule = "sensitive_path";
        severity = "high";
    } else if (is_write(f)) {
        if ((matched = match(&watched, path)) == NULL &&
            (matched = match(&watched, f->new_path)) != NULL)
            path = f->new_path;
        if (matched) {
            rule = "write_under_watched";
            severity = "medium";
        }
    }
    if (!rule)
        return VMSCOPE_OK;
    memset(fields, 0, sizeof fields);
    if (f->thread.pid >= 0)
        put_int(&fields[n++], "pid", f->thread.pid);
    if (f->thread.tid >= 0)
        put_int(&fields[n++], "tid", f->thread.tid);
    if (f->thread.comm)
        put_str(&fields[n++], "comm", f->thread.comm);
    put_str(&fields[n++], "rule", rule);
    put_str(&fields[n++], "severity", severity);
    put_str(&fields[n++], "op", f->op);
    put_str(&fields[n++], "path", path);
    put_str(&fields[n++], "matched", matched);
    if (f->flags)
        put_str(&fields[n++], "flags", f->flags);
    if (f->error)
        put_str(&fields[n++], "error", f->error);
    /* The offender's address space, read from the vCPU during the callback. */
    if (host->read_register(ctx, "cr3", &cr3) == VMSCOPE_OK) {
        fields[n].name = "cr3";
        fields[n].value.type = VMSCOPE_VALUE_UINT;
        fields[n].value.as.u = cr3;
        n++;
    }
    return host->publish(ctx, "alert", fields, n);
}

VMSCOPE_EXPORT int vmscope_module_init(const struct vmscope_host *h, struct vmscope_module *m,
                                       char *error, size_t error_size) {
    size_t i;
    if ((h->abi_version >> 16) != VMSCOPE_ABI_MAJOR) {
        snprintf(error, error_size, "built for ABI major %d", VMSCOPE_ABI_MAJOR);
        return VMSCOPE_ERROR;
    }
    host = h;
    sensitive.n = 0;
    for (i = 0; default_sensitive[i] && i < MAX_PATHS; i++) {
        strcpy(sensitive.path[i], default_sensitive[i]);
        sensitive.n++;
    }
    watched.n = 1;
    strcpy(watched.path[0], "/etc");
    m->name = "ids";
    m->depends = depends;
    m->consumes = VMSCOPE_KIND_BIT(VMSCOPE_KIND_FILE);
    m->configure = configure;
    m->on_event = on_event;
    return VMSCOPE_OK;
}

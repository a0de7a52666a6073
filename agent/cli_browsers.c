/* tarjeta browsers install|remove|status: the PKCS#11 module in every
 * Firefox profile of the user and in the Chromium/Chrome NSS databases.
 *
 * Each of those is an NSS "sql:" database whose module list is pkcs11.txt.
 * We read pkcs11.txt to know what is registered (without loading anything)
 * and change it only through NSS's own modutil (libnss3-tools), so the file
 * stays in the format NSS writes.  A running Firefox reads the list at start:
 * changes apply when it restarts. */
#include "cli.h"

#include "tv_err.h"
#include "tv_paths.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MODULE_NAME "Tarjeta virtual"
#define MODULE_FILE "tarjeta-virtual-pkcs11.so"
#define P11KIT_FILE "tarjeta-virtual.module"
#define MAX_DBS 64
#define LINE_MAX_LEN 8192

typedef struct nssdb {
    char label[384];            /* what the person reads: "Firefox profile default-esr" */
    char dir[PATH_MAX];
    bool firefox;
    bool created;               /* did not exist before install */
} nssdb;

typedef struct dblist {
    nssdb db[MAX_DBS];
    size_t n;
    bool firefox_profiles;      /* some Firefox profile was found */
} dblist;

typedef struct registration {
    bool found;
    char library[PATH_MAX];
} registration;

typedef enum { ACT_INSTALL, ACT_REMOVE, ACT_STATUS } action;

/* ---- where the module is ---- */

static bool is_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The "module:" line of a p11-kit module file (installed with the module). */
static int p11kit_module_path(const char *file, char *out, size_t n)
{
    FILE *f = fopen(file, "re");
    char line[LINE_MAX_LEN];
    int rc = TV_ERR_NOT_FOUND;

    if (f == NULL)
        return TV_ERR_NOT_FOUND;
    while (rc != 0 && fgets(line, sizeof line, f) != NULL) {
        char *v = line + strspn(line, " \t");
        if (strncmp(v, "module:", 7) != 0)
            continue;
        v += 7 + strspn(v + 7, " \t");
        v[strcspn(v, " \t\r\n")] = '\0';
        if (v[0] == '/' && snprintf(out, n, "%s", v) < (int)n && is_file(out))
            rc = 0;
    }
    fclose(f);
    return rc;
}

/* Beside this program (build tree), else what the p11-kit module file of this
 * installation (PREFIX/share/p11-kit/modules, next to PREFIX/bin) or of the
 * system names. */
static int find_module(char *out, size_t n)
{
    char self[PATH_MAX], file[PATH_MAX + 64];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    const char *dir = NULL;

    if (len > 0) {
        self[len] = '\0';
        dir = dirname(self);
        if (snprintf(out, n, "%s/%s", dir, MODULE_FILE) < (int)n && is_file(out))
            return 0;
        snprintf(file, sizeof file, "%s/../share/p11-kit/modules/%s", dir, P11KIT_FILE);
        if (p11kit_module_path(file, out, n) == 0)
            return 0;
    }
    if (p11kit_module_path("/usr/share/p11-kit/modules/" P11KIT_FILE, out, n) == 0 ||
        p11kit_module_path("/etc/pkcs11/modules/" P11KIT_FILE, out, n) == 0)
        return 0;
    return TV_ERR_NOT_FOUND;
}

/* ---- which databases ---- */

static nssdb *add_db(dblist *l, bool firefox, const char *label, const char *dir)
{
    char real[PATH_MAX];
    nssdb *d;

    if (l->n == MAX_DBS || realpath(dir, real) == NULL)
        return NULL;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->db[i].dir, real) == 0)
            return NULL;
    d = &l->db[l->n++];
    d->firefox = firefox;
    snprintf(d->label, sizeof d->label, "%s", label);
    snprintf(d->dir, sizeof d->dir, "%s", real);
    return d;
}

static void strip_eol(char *s)
{
    s[strcspn(s, "\r\n")] = '\0';
}

/* One [ProfileN] section of profiles.ini is complete: register it. */
static void ini_profile(dblist *l, const char *root, const char *name, const char *path, bool relative)
{
    char dir[PATH_MAX], label[384];

    if (path[0] == '\0')
        return;
    if (snprintf(dir, sizeof dir, "%s%s%s", relative ? root : "", relative ? "/" : "", path) >=
        (int)sizeof dir || !is_dir(dir))
        return;
    snprintf(label, sizeof label, "Firefox profile %s", name[0] ? name : path);
    add_db(l, true, label, dir);
}

static void firefox_profiles_ini(dblist *l, const char *root)
{
    char file[PATH_MAX], line[LINE_MAX_LEN], name[256] = "", path[PATH_MAX] = "";
    bool relative = true, profile = false;
    FILE *f;

    snprintf(file, sizeof file, "%s/profiles.ini", root);
    if ((f = fopen(file, "re")) == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL) {
        strip_eol(line);
        if (line[0] == '[') {
            if (profile)
                ini_profile(l, root, name, path, relative);
            profile = strncmp(line, "[Profile", 8) == 0;
            name[0] = path[0] = '\0';
            relative = true;
        } else if (strncmp(line, "Name=", 5) == 0) {
            snprintf(name, sizeof name, "%s", line + 5);
        } else if (strncmp(line, "Path=", 5) == 0) {
            snprintf(path, sizeof path, "%s", line + 5);
        } else if (strncmp(line, "IsRelative=", 11) == 0) {
            relative = strcmp(line + 11, "0") != 0;
        }
    }
    if (profile)
        ini_profile(l, root, name, path, relative);
    fclose(f);
}

/* Profile folders profiles.ini does not list (copied or made by hand). */
static void firefox_scan(dblist *l, const char *root)
{
    static const char *const marks[] = { "prefs.js", "times.json", "cert9.db", "pkcs11.txt" };
    char dir[PATH_MAX], mark[PATH_MAX + 16], label[384];
    DIR *d = opendir(root);
    struct dirent *e;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || snprintf(dir, sizeof dir, "%s/%s", root, e->d_name) >= (int)sizeof dir ||
            !is_dir(dir))
            continue;
        for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
            snprintf(mark, sizeof mark, "%s/%s", dir, marks[i]);
            if (is_file(mark)) {
                snprintf(label, sizeof label, "Firefox profile %s", e->d_name);
                add_db(l, true, label, dir);
                break;
            }
        }
    }
    closedir(d);
}

/* ~/.pki/nssdb is Chromium's (and Chrome's) database: made when missing on
 * install, as Chromium would.  $XDG_DATA_HOME/pki/nssdb only where present. */
static void chromium_dbs(dblist *l, const char *home, action act)
{
    const char *data = getenv("XDG_DATA_HOME");
    char dir[PATH_MAX];
    bool created = false;
    nssdb *d;

    snprintf(dir, sizeof dir, "%s/.pki/nssdb", home);
    if (act == ACT_INSTALL && !is_dir(dir))
        created = tv_mkdir_p(dir, 0700) == 0;
    if ((d = add_db(l, false, "Chromium/Chrome NSS database", dir)) != NULL)
        d->created = created;
    if (data != NULL && data[0] == '/')
        snprintf(dir, sizeof dir, "%s/pki/nssdb", data);
    else
        snprintf(dir, sizeof dir, "%s/.local/share/pki/nssdb", home);
    add_db(l, false, "NSS database", dir);
}

/* Firefox keeps its profiles in $XDG_CONFIG_HOME/mozilla/firefox (where
 * Firefox 153 ESR puts a new user's) or in ~/.mozilla/firefox (profiles made
 * by older versions, which it keeps using). */
static void firefox_dbs(dblist *l, const char *home)
{
    const char *config = getenv("XDG_CONFIG_HOME");
    char root[PATH_MAX];
    size_t before = l->n;

    snprintf(root, sizeof root, "%s/.mozilla/firefox", home);
    firefox_profiles_ini(l, root);
    firefox_scan(l, root);
    if (config != NULL && config[0] == '/')
        snprintf(root, sizeof root, "%s/mozilla/firefox", config);
    else
        snprintf(root, sizeof root, "%s/.config/mozilla/firefox", home);
    firefox_profiles_ini(l, root);
    firefox_scan(l, root);
    l->firefox_profiles = l->n > before;
}

static void find_dbs(dblist *l, const char *home, action act)
{
    memset(l, 0, sizeof *l);
    firefox_dbs(l, home);
    chromium_dbs(l, home, act);
}

/* ---- what is registered ---- */

static const char *unquote(char *v)
{
    size_t len = strlen(v);

    if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
        v[len - 1] = '\0';
        return v + 1;
    }
    return v;
}

/* pkcs11.txt: blocks of key=value lines separated by blank lines. */
static void read_registration(const nssdb *d, registration *r)
{
    char file[PATH_MAX + 16], line[LINE_MAX_LEN], library[PATH_MAX] = "";
    FILE *f;

    memset(r, 0, sizeof *r);
    snprintf(file, sizeof file, "%s/pkcs11.txt", d->dir);
    if ((f = fopen(file, "re")) == NULL)
        return;
    while (!r->found && fgets(line, sizeof line, f) != NULL) {
        strip_eol(line);
        if (line[0] == '\0')
            library[0] = '\0';
        else if (strncmp(line, "library=", 8) == 0)
            snprintf(library, sizeof library, "%s", unquote(line + 8));
        else if (strncmp(line, "name=", 5) == 0 && strcmp(unquote(line + 5), MODULE_NAME) == 0) {
            r->found = true;
            snprintf(r->library, sizeof r->library, "%s", library);
        }
    }
    fclose(f);
}

/* Firefox's "lock" symlink names the process holding the profile ("IP:+PID"). */
static bool firefox_running(const nssdb *d)
{
    char lock[PATH_MAX + 8], target[256];
    ssize_t len;
    const char *plus;
    long pid;

    if (!d->firefox)
        return false;
    snprintf(lock, sizeof lock, "%s/lock", d->dir);
    if ((len = readlink(lock, target, sizeof target - 1)) <= 0)
        return false;
    target[len] = '\0';
    if ((plus = strrchr(target, '+')) == NULL || (pid = strtol(plus + 1, NULL, 10)) <= 0)
        return false;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* ---- modutil ---- */

static int find_modutil(char *out, size_t n)
{
    const char *path = getenv("PATH");
    char dirs[4096];

    if (path == NULL || path[0] == '\0')
        path = "/usr/bin:/bin";
    snprintf(dirs, sizeof dirs, "%s", path);
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save))
        if (snprintf(out, n, "%s/modutil", d) < (int)n && access(out, X_OK) == 0)
            return 0;
    return TV_ERR_NOT_FOUND;
}

static void read_output(int fd, char *out, size_t n)
{
    size_t used = 0, take;
    char chunk[512];
    ssize_t got;

    while ((got = read(fd, chunk, sizeof chunk)) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            break;
        take = (size_t)got < n - 1 - used ? (size_t)got : n - 1 - used;
        memcpy(out + used, chunk, take);
        used += take;
    }
    out[used] = '\0';
}

/* modutil ARGS -dbdir sql:DIR -force, with the module's autostart off (it
 * loads the module to check it: no agent should start for that).  Its
 * output goes to `out`; 0 when it exits 0. */
static int modutil(const char *program, const char *dir, const char *const args[], char *out, size_t n)
{
    char dbdir[PATH_MAX + 8];
    const char *argv[16];
    size_t k = 0;
    int fds[2], status = 0;
    pid_t pid;

    snprintf(dbdir, sizeof dbdir, "sql:%s", dir);
    argv[k++] = "modutil";
    for (size_t i = 0; args[i] != NULL && k < 10; i++)
        argv[k++] = args[i];
    argv[k++] = "-dbdir";
    argv[k++] = dbdir;
    argv[k++] = "-force";
    argv[k] = NULL;
    if (pipe2(fds, O_CLOEXEC) != 0)
        return TV_ERR_IO;
    if ((pid = fork()) == 0) {
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        setenv("TARJETA_AUTOSTART", "no", 1);
        execv(program, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    if (pid > 0)
        read_output(fds[0], out, n);
    close(fds[0]);
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return TV_ERR_IO;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : TV_ERR_IO;
}

/* ---- install / remove / status of one database ---- */

typedef struct run {
    action act;
    char module[PATH_MAX];
    char modutil[PATH_MAX];
    unsigned changed, unchanged, failed, missing;
} run;

static void print_failure(const char *what, const char *out)
{
    char copy[2048];

    snprintf(copy, sizeof copy, "%s", out);
    strip_eol(copy);
    printf("FAILED: %s%s%s\n", what, copy[0] ? ": " : "", copy);
}

static int delete_module(run *r, const nssdb *d)
{
    static const char *const args[] = { "-delete", MODULE_NAME, NULL };
    char out[2048];

    if (modutil(r->modutil, d->dir, args, out, sizeof out) == 0)
        return 0;
    print_failure("modutil -delete", out);
    return TV_ERR_IO;
}

static int add_module(run *r, const nssdb *d)
{
    const char *const args[] = { "-add", MODULE_NAME, "-libfile", r->module, NULL };
    char out[2048];
    registration after;

    if (modutil(r->modutil, d->dir, args, out, sizeof out) != 0) {
        print_failure("modutil -add", out);
        return TV_ERR_IO;
    }
    read_registration(d, &after);
    if (!after.found || strcmp(after.library, r->module) != 0) {
        print_failure("the module is not in pkcs11.txt after modutil -add", "");
        return TV_ERR_IO;
    }
    return 0;
}

static void install_one(run *r, const nssdb *d, const registration *reg)
{
    if (reg->found && strcmp(reg->library, r->module) == 0) {
        printf("already registered\n");
        r->unchanged++;
        return;
    }
    if (reg->found && delete_module(r, d) < 0) {
        r->failed++;
        return;
    }
    if (add_module(r, d) < 0) {
        r->failed++;
        return;
    }
    if (reg->found)
        printf("updated (it named %s)\n", reg->library);
    else
        printf("registered\n");
    if (d->created)
        printf("    (database created)\n");
    r->changed++;
}

static void remove_one(run *r, const nssdb *d, const registration *reg)
{
    registration after;

    if (!reg->found) {
        printf("not registered\n");
        r->unchanged++;
        return;
    }
    if (delete_module(r, d) < 0) {
        r->failed++;
        return;
    }
    read_registration(d, &after);
    if (after.found) {
        print_failure("the module is still in pkcs11.txt after modutil -delete", "");
        r->failed++;
        return;
    }
    printf("removed\n");
    r->changed++;
}

static void status_one(run *r, const registration *reg)
{
    if (!reg->found) {
        printf("not registered\n");
        r->missing++;
    } else if (!is_file(reg->library)) {
        printf("registered, but %s does not exist (run `tarjeta browsers install`)\n", reg->library);
        r->missing++;
    } else {
        printf("registered (%s)\n", reg->library);
        r->unchanged++;
    }
}

static void one_db(run *r, const nssdb *d)
{
    registration reg;
    unsigned changed = r->changed;

    read_registration(d, &reg);
    printf("%s (%s): ", d->label, d->dir);
    fflush(stdout);
    if (r->act == ACT_INSTALL)
        install_one(r, d, &reg);
    else if (r->act == ACT_REMOVE)
        remove_one(r, d, &reg);
    else
        status_one(r, &reg);
    if (r->changed != changed && firefox_running(d))
        printf("    Firefox is running with this profile: restart it to %s the module.\n",
               r->act == ACT_INSTALL ? "load" : "unload");
}

/* ---- the command ---- */

static int parse(int argc, char **argv, run *r, const char **module)
{
    if (argc < 2)
        return -1;
    if (strcmp(argv[1], "install") == 0)
        r->act = ACT_INSTALL;
    else if (strcmp(argv[1], "remove") == 0)
        r->act = ACT_REMOVE;
    else if (strcmp(argv[1], "status") == 0)
        r->act = ACT_STATUS;
    else
        return -1;
    if (argc == 4 && r->act == ACT_INSTALL && strcmp(argv[2], "--module") == 0)
        *module = argv[3];
    else if (argc != 2)
        return -1;
    return 0;
}

static int prepare(run *r, const char *module)
{
    if (module != NULL) {
        if (module[0] != '/' || !is_file(module) || realpath(module, r->module) == NULL) {
            fprintf(stderr, "tarjeta: --module needs the absolute path of an existing file\n");
            return CLI_USAGE;
        }
    } else if (r->act == ACT_INSTALL && find_module(r->module, sizeof r->module) < 0) {
        fprintf(stderr, "tarjeta: cannot find %s (expected beside this program or named by "
                "/usr/share/p11-kit/modules/%s): reinstall tarjeta-virtual or give --module PATH\n",
                MODULE_FILE, P11KIT_FILE);
        return CLI_FAILED;
    }
    if (r->act != ACT_STATUS && find_modutil(r->modutil, sizeof r->modutil) < 0) {
        fprintf(stderr, "tarjeta: modutil is missing: install the libnss3-tools package "
                "(apt install libnss3-tools)\n");
        return CLI_FAILED;
    }
    return CLI_OK;
}

static void summary(const run *r, const dblist *l)
{
    if (l->n == 0)
        printf("No browser database found.\n");
    if (!l->firefox_profiles)
        printf("Firefox: no profile in ~/.config/mozilla/firefox or ~/.mozilla/firefox (start "
               "Firefox once, then run `tarjeta browsers install` again).\n");
    if (r->act == ACT_INSTALL)
        printf("Done: %u registered, %u already there, %u failed.%s\n", r->changed, r->unchanged,
               r->failed, r->changed ? " Restart Firefox and Chromium to use the module." : "");
    else if (r->act == ACT_REMOVE)
        printf("Done: %u removed, %u not registered, %u failed.%s\n", r->changed, r->unchanged,
               r->failed, r->changed ? " Restart Firefox and Chromium to unload the module." : "");
    else if (r->missing)
        printf("Register it with `tarjeta browsers install`.\n");
}

int cmd_browsers(cli *c, int argc, char **argv)
{
    run r = { 0 };
    dblist *l = NULL;
    const char *home = getenv("HOME"), *module = NULL;
    int rc;

    if (cli_wants_help(argc, argv))
        return CLI_OK;
    if (parse(argc, argv, &r, &module) < 0) {
        fprintf(stderr, "Usage: tarjeta browsers install [--module PATH] | remove | status\n");
        return CLI_USAGE;
    }
    if (home == NULL || home[0] != '/') {
        fprintf(stderr, "tarjeta: HOME is not set: cannot find the browsers' databases\n");
        return CLI_FAILED;
    }
    if ((rc = prepare(&r, module)) != CLI_OK)
        return rc;
    if ((l = calloc(1, sizeof *l)) == NULL)
        return CLI_FAILED;
    if (r.act == ACT_INSTALL)
        printf("Module: %s\n", r.module);
    find_dbs(l, home, r.act);
    for (size_t i = 0; i < l->n; i++)
        one_db(&r, &l->db[i]);
    summary(&r, l);
    free(l);
    return r.failed || (r.act == ACT_STATUS && r.missing) ? CLI_FAILED : CLI_OK;
}

/* After `tarjeta setup`: say once how to reach the browsers, unless done. */
void cli_browsers_hint(void)
{
    const char *home = getenv("HOME");
    dblist *l = NULL;
    registration reg;
    bool missing = false;

    if (home == NULL || home[0] != '/' || (l = calloc(1, sizeof *l)) == NULL)
        return;
    find_dbs(l, home, ACT_STATUS);
    for (size_t i = 0; i < l->n; i++) {
        read_registration(&l->db[i], &reg);
        missing |= !reg.found;
    }
    if (l->n == 0 || missing)
        printf("To use your BakQ in Firefox and Chromium: tarjeta browsers install\n");
    free(l);
}

/* signHash throughput through the whole service (HTTPS keep-alive, JSON,
 * SAD check, C_Sign in SoftHSM2) against raw C_Sign on the same token.
 *
 *   bench-signhash DATA_DIR URL DNI PASSWORD SECONDS THREADS
 *
 * The citizen must be an active SMS account with auth_multisign large enough
 * (the script tests/server/bench-signhash sets that up).  Prints one line per
 * mode and the ratio. */
#include "hsm.h"
#include "sigalg.h"
#include "tv_err.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ctx {
    const char *dir, *url, *dni, *password;
    double seconds;
    char token[80], cred[80], sad[80], ca[1100];
};

struct buf {
    char *p;
    size_t n;
};

static size_t collect(char *data, size_t size, size_t nmemb, void *user)
{
    struct buf *b = user;
    char *p = realloc(b->p, b->n + size * nmemb + 1);

    if (p == NULL)
        return 0;
    memcpy(p + b->n, data, size * nmemb);
    b->p = p;
    b->n += size * nmemb;
    p[b->n] = '\0';
    return size * nmemb;
}

/* POST json to path (or GET when json is NULL); returns the parsed answer. */
static json_t *call(CURL *c, const struct ctx *x, const char *path, const char *json, const char *userpwd)
{
    struct curl_slist *h = NULL;
    struct buf b = { 0 };
    char url[512], auth[160];
    json_t *out = NULL;

    snprintf(url, sizeof url, "%s%s", x->url, path);
    h = curl_slist_append(h, "Content-Type: application/json");
    if (x->token[0]) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", x->token);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, x->ca);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
    if (json)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    else
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    if (curl_easy_perform(c) == CURLE_OK)
        out = json_loads(b.p ? b.p : "{}", 0, NULL);
    curl_slist_free_all(h);
    free(b.p);
    return out;
}

static int setup(struct ctx *x)
{
    CURL *c = curl_easy_init();
    char body[512], userpwd[128], path[256];
    json_t *j;
    const char *code;

    snprintf(userpwd, sizeof userpwd, "%s:%s", x->dni, x->password);
    j = call(c, x, "/csc/v2/auth/login", "{}", userpwd);
    snprintf(x->token, sizeof x->token, "%s", json_string_value(json_object_get(j, "access_token")));
    json_decref(j);
    j = call(c, x, "/csc/v2/credentials/list", "{}", NULL);
    snprintf(x->cred, sizeof x->cred, "%s", json_string_value(json_array_get(json_object_get(j, "credentialIDs"), 0)));
    json_decref(j);
    snprintf(body, sizeof body, "{\"credentialID\":\"%s\"}", x->cred);
    json_decref(call(c, x, "/csc/v2/credentials/getChallenge", body, NULL));
    snprintf(path, sizeof path, "/testing/v1/outbox");
    j = call(c, x, path, NULL, NULL);
    code = json_string_value(json_object_get(json_array_get(json_object_get(j, "messages"),
                                             json_array_size(json_object_get(j, "messages")) - 1), "code"));
    snprintf(body, sizeof body, "{\"credentialID\":\"%s\",\"numSignatures\":1000000,\"authData\":"
             "[{\"id\":\"PIN\",\"value\":\"%s\"},{\"id\":\"OTP\",\"value\":\"%s\"}]}", x->cred, x->password,
             code ? code : "");
    json_decref(j);
    j = call(c, x, "/csc/v2/credentials/authorize", body, NULL);
    snprintf(x->sad, sizeof x->sad, "%s", json_string_value(json_object_get(j, "SAD")) ?: "");
    json_decref(j);
    curl_easy_cleanup(c);
    return x->sad[0] ? 0 : -1;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct worker {
    struct ctx *x;
    struct tv_hsm *hsm;       /* NULL: through the service */
    long count;
    long errors;
};

static void *run_service(void *arg)
{
    struct worker *w = arg;
    CURL *c = curl_easy_init();
    char body[512];
    double end = now_s() + w->x->seconds;

    snprintf(body, sizeof body, "{\"credentialID\":\"%s\",\"SAD\":\"%s\",\"hashes\":"
             "[\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"],\"hashAlgorithmOID\":"
             "\"2.16.840.1.101.3.4.2.1\",\"signAlgo\":\"1.2.840.113549.1.1.1\"}", w->x->cred, w->x->sad);
    while (now_s() < end) {
        json_t *j = call(c, w->x, "/csc/v2/signatures/signHash", body, NULL);

        if (json_object_get(j, "signatures"))
            w->count++;
        else
            w->errors++;
        json_decref(j);
    }
    curl_easy_cleanup(c);
    return NULL;
}

static void *run_direct(void *arg)
{
    struct worker *w = arg;
    uint8_t hash[32] = { 1, 2, 3 }, di[100], sig[512];
    size_t di_len, sig_len;
    double end = now_s() + w->x->seconds;

    tv_digest_info(TV_HASH_SHA256, hash, 32, di, &di_len);
    while (now_s() < end) {
        sig_len = sizeof sig;
        if (tv_hsm_sign(w->hsm, w->x->cred, TV_HSM_RSA_PKCS, NULL, di, di_len, sig, &sig_len) == 0)
            w->count++;
        else
            w->errors++;
    }
    return NULL;
}

static double measure(struct ctx *x, struct tv_hsm *hsm, int threads, long *errors)
{
    pthread_t t[16];
    struct worker w[16];
    long total = 0;
    double start = now_s(), elapsed;

    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){ x, hsm, 0, 0 };
        pthread_create(&t[i], NULL, hsm ? run_direct : run_service, &w[i]);
    }
    *errors = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        total += w[i].count;
        *errors += w[i].errors;
    }
    elapsed = now_s() - start;
    return total / elapsed;
}

static struct tv_hsm *open_direct(const struct ctx *x, int threads)
{
    char path[1100], pin[128] = "";
    struct tv_hsm *h = NULL;
    FILE *f;

    snprintf(path, sizeof path, "%s/softhsm2.conf", x->dir);
    setenv("SOFTHSM2_CONF", path, 1);
    snprintf(path, sizeof path, "%s/hsm.pin", x->dir);
    if ((f = fopen(path, "r")) != NULL) {
        if (fgets(pin, sizeof pin, f) == NULL)
            pin[0] = '\0';
        fclose(f);
    }
    pin[strcspn(pin, "\n")] = '\0';
    if (tv_hsm_load("/usr/lib/softhsm/libsofthsm2.so", &h) < 0 || tv_hsm_login(h, "bakq-users", pin, threads) < 0)
        return NULL;
    return h;
}

int main(int argc, char **argv)
{
    struct ctx x = { 0 };
    struct tv_hsm *h;
    double service, direct;
    long e1, e2;
    int threads;

    if (argc != 7) {
        fprintf(stderr, "usage: bench-signhash DATA_DIR URL DNI PASSWORD SECONDS THREADS\n");
        return 2;
    }
    x.dir = argv[1];
    x.url = argv[2];
    x.dni = argv[3];
    x.password = argv[4];
    x.seconds = atof(argv[5]);
    threads = atoi(argv[6]);
    if (threads < 1 || threads > 16)
        return 2;
    snprintf(x.ca, sizeof x.ca, "%s/ca.crt", x.dir);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (setup(&x) < 0) {
        fprintf(stderr, "bench-signhash: could not log in and authorize\n");
        return 1;
    }
    h = open_direct(&x, threads);
    if (h == NULL)
        return 1;
    direct = measure(&x, h, threads, &e1);
    service = measure(&x, NULL, threads, &e2);
    tv_hsm_free(h);
    printf("threads=%d  softhsm2 C_Sign: %.0f sig/s  service signHash: %.0f sig/s  ratio: %.1f%%%s\n",
           threads, direct, service, 100.0 * service / direct, e1 + e2 ? "  (errors!)" : "");
    return e1 + e2 ? 1 : 0;
}

/* Replay a fuzz target over corpus files without libFuzzer, so `make check`
 * runs every corpus under the normal (or sanitizer) build.
 * Usage: fuzz_<name> FILE|DIR...   Prints TAP: one line per input. */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_count;

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    long size;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        if (f)
            fclose(f);
        printf("not ok %d - cannot read %s\n", ++replay_count, path);
        return 1;
    }
    data = malloc(size ? (size_t)size : 1);
    if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(data);
        printf("not ok %d - cannot read %s\n", ++replay_count, path);
        return 1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, (size_t)size);   /* a crash fails the test */
    free(data);
    printf("ok %d - %s\n", ++replay_count, path);
    return 0;
}

static int replay_path(const char *path)
{
    struct stat st;
    struct dirent **names;
    char child[4096];
    int n, failed = 0;

    if (stat(path, &st) != 0)
        return replay_file(path);
    if (!S_ISDIR(st.st_mode))
        return replay_file(path);
    n = scandir(path, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            snprintf(child, sizeof child, "%s/%s", path, names[i]->d_name);
            failed |= replay_file(child);
        }
        free(names[i]);
    }
    if (n >= 0)
        free(names);
    return failed;
}

int main(int argc, char **argv)
{
    int failed = 0;

    for (int i = 1; i < argc; i++)
        failed |= replay_path(argv[i]);
    printf("1..%d\n", replay_count);
    return failed || replay_count == 0;
}

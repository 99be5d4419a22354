/* A small C program with the mistakes a code scanner is there to catch (scanned, never built). */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    char name[16];
    char line[64];
    strcpy(name, argv[1]);
    sprintf(line, "hello %s", name);
    printf(argv[2]);
    system(argv[3]);
    gets(line);
    return 0;
}

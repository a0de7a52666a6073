/* `bakq-server enroll`: register a citizen from the command line (a
 * service-point registration), optionally activated at once. */
#ifndef TV_SRV_ENROLL_H
#define TV_SRV_ENROLL_H

int tv_cmd_enroll(int argc, char **argv);

#endif

/* net-inet6: net-inet.c over ::1 (see there). */
#define WL_INET6 1
#include "net-inet.c"

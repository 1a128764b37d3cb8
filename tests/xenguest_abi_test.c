/* Compiled as C against Debian's real <xenguest.h>: precopy_xen_policy must have exactly the type of
 * libxenguest's precopy_policy_t so a toolstack can plug it into struct save_callbacks unchanged. */
#include <xenctrl.h>
#include <xenguest.h>

#include "precopy/precopy.h"

/* A type mismatch makes this assignment an error under -Werror (incompatible pointer types). */
static const precopy_policy_t precopy_policy_type_check = precopy_xen_policy;

int precopy_install_into_save_callbacks(struct save_callbacks *callbacks, precopy_t *handle)
{
    callbacks->precopy_policy = precopy_xen_policy;
    callbacks->data = handle;
    return callbacks->precopy_policy == precopy_policy_type_check;
}

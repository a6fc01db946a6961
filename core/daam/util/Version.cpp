// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/util/Version.h"

namespace daam {

const char* studioVersion() {
    return DAAM_STUDIO_VERSION;
}

} // namespace daam

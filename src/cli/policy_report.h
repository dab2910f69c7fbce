// How an admission is shown to people: the same lines for `rampart policy check` and for a
// workflow `rampart run` refuses.
#pragma once

#include <ostream>

#include "guard/admission.h"
#include "spec/loader.h"

namespace rampart::cli {

// "DENIED Workflow name" or "ok     Workflow name", then one line per decision.
void print_admission(std::ostream& out, const spec::Document& document, const guard::Admission& admission);

}  // namespace rampart::cli

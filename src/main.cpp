#include "cli/app.h"

int main(int argc, char** argv) { return rampart::cli::run_app(argc, argv); }

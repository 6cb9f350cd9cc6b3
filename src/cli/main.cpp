#include "cli/app.hpp"

int main(int argc, char** argv) { return aic::cli::run(argc, argv); }

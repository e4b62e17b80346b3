#pragma once

namespace rdwarm::cli {
// Parses the command line and runs the command; returns the process exit code (DESIGN.md).
int run(int argc, char** argv);
}  // namespace rdwarm::cli

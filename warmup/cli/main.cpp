#include "warmup/cli/app.hpp"

int main(int argc, char** argv) {
  return rdwarm::cli::run(argc, argv);
}

// Colour and quiet output, the same in every tool, decided once per process
// from the environment (pg-flux sets it from --color and --quiet):
//
//   PGFLUX_COLOR  always, never or auto (the default; any other value counts
//                 as auto). In auto a stream is coloured when it is a terminal,
//                 TERM is not "dumb" and NO_COLOR is unset or empty
//                 (https://no-color.org); NO_COLOR also turns always off.
//   PGFLUX_QUIET  1: notes (util/cli.h notice) and progress lines are not
//                 written; warnings, errors and results are.
#pragma once

#include <string>

namespace pgflux {

enum class Paint { error, warning, hint, hazard, heading, good };
enum class Stream { out, err };

// Whether `stream` gets colour.
bool colored(Stream stream);
// `text` in the colour of `paint` when `stream` gets colour, else as it is.
std::string paint(Stream stream, Paint paint, const std::string& text);
// PGFLUX_QUIET=1.
bool quiet();

}  // namespace pgflux

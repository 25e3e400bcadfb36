// Text that goes on one line a person reads: a "-- " comment line of a
// migration file, a drift or status line, a message.
#pragma once

#include <string>

namespace pgflux {

// `text` made safe for one line: line breaks, tabs and other control
// characters are written as \n, \r, \t, \xNN (a name may hold any of them;
// in a "-- " comment, a raw line break would end the comment and turn the
// rest into SQL).
std::string one_line(const std::string& text);

}  // namespace pgflux

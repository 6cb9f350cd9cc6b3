// Names the calling thread, so `top -H`, `ps -L`, gdb and /proc/PID/task/*/comm tell aic's
// threads apart (I/O, workers, writers) when an operator looks at where the CPU goes.
#pragma once

#include <string_view>

namespace aic::core {

// Linux keeps at most 15 bytes of a thread's name; a longer one is cut to fit.
void name_this_thread(std::string_view name);

}  // namespace aic::core

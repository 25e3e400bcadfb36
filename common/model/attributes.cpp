// Small accessors over canonical attributes.
#include "model/attributes.h"

namespace pgflux {

int column_index(const json& table_attrs, const std::string& column) {
    const json& columns = table_attrs.at("columns");
    for (size_t i = 0; i < columns.size(); ++i)
        if (columns[i].at("name") == column) return static_cast<int>(i);
    return -1;
}

}  // namespace pgflux

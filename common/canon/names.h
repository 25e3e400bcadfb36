// The names PostgreSQL gives objects the source leaves unnamed (users_pkey,
// users_email_key, orders_customer_id_fkey, t_lower_idx, t_id_seq), chosen
// and truncated to 63 bytes exactly as PostgreSQL 15 does, so a source that
// omits a name agrees with the database that loaded it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sql/message.h"

namespace pgflux {

inline constexpr size_t k_max_identifier_bytes = 63;  // NAMEDATALEN - 1

// Longest prefix of at most `bytes` bytes that ends on a UTF-8 character boundary.
size_t clip_length(const std::string& s, size_t bytes);

// PostgreSQL truncates identifiers longer than 63 bytes (at a character boundary).
std::string truncate_identifier(const std::string& name);

// name1_name2_label, shortening the longer of name1/name2 to fit 63 bytes.
std::string make_object_name(const std::string& name1, const std::string& name2,
                             const std::string& label);

// make_object_name, then label1, label2, ... until `taken` says the name is free.
std::string choose_object_name(const std::string& name1, const std::string& name2,
                               const std::string& label,
                               const std::function<bool(const std::string&)>& taken);

// Column names joined by "_", stopping once 63 bytes are reached.
std::string name_addition(const std::vector<std::string>& column_names);

// Per-column names for an implicit index name: the column name, or a name
// figured from the expression ("lower", "expr"); duplicates numbered.
std::vector<std::string> index_column_names(const std::vector<std::string>& raw_names);

// The name PostgreSQL figures for an index expression ("" when it has none).
std::string figure_expression_name(const pq::Msg& expr);

}  // namespace pgflux

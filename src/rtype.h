/* rtype.h - Ruby's object types as a small enum (T_STRING ... in Ruby). */
#ifndef HEAPSIFT_RTYPE_H
#define HEAPSIFT_RTYPE_H

#include <stddef.h>
#include <stdint.h>

/* X-macro: enum name, the text Ruby writes. RT_OTHER stands for a type name
 * this version of heapsift does not know (written as it was not kept). */
#define RTYPE_LIST(X) \
    X(RT_OTHER, "OTHER") X(RT_OBJECT, "OBJECT") X(RT_CLASS, "CLASS") X(RT_MODULE, "MODULE") \
    X(RT_ICLASS, "ICLASS") X(RT_FLOAT, "FLOAT") X(RT_STRING, "STRING") X(RT_REGEXP, "REGEXP") \
    X(RT_ARRAY, "ARRAY") X(RT_HASH, "HASH") X(RT_STRUCT, "STRUCT") X(RT_BIGNUM, "BIGNUM") \
    X(RT_FILE, "FILE") X(RT_DATA, "DATA") X(RT_MATCH, "MATCH") X(RT_COMPLEX, "COMPLEX") \
    X(RT_RATIONAL, "RATIONAL") X(RT_SYMBOL, "SYMBOL") X(RT_IMEMO, "IMEMO") X(RT_NODE, "NODE") \
    X(RT_ZOMBIE, "ZOMBIE") X(RT_MOVED, "MOVED") X(RT_NONE, "NONE") X(RT_UNKNOWN, "UNKNOWN") \
    X(RT_NIL, "NIL") X(RT_TRUE, "TRUE") X(RT_FALSE, "FALSE") X(RT_FIXNUM, "FIXNUM") \
    X(RT_UNDEF, "UNDEF") X(RT_SHAPE, "SHAPE")

typedef enum rtype {
#define RTYPE_ENUM(e, s) e,
    RTYPE_LIST(RTYPE_ENUM)
#undef RTYPE_ENUM
    RT_COUNT
} rtype;

/* The enum for a type name as written in a dump (RT_OTHER when unknown). */
rtype rtype_from_name(const char *name, size_t len);

/* The name Ruby writes for t. */
const char *rtype_name(rtype t);

#endif

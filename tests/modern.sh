#!/usr/bin/env bash
# modern.sh: heapsift on the dumps of tests/modern/, written by Ruby 3.1
# (natively) and by Ruby 3.2, 3.3, 3.4 and 4.0 (WebAssembly builds), checked
# against what the program that wrote them planted (each truth.json) and the
# Ruby oracles' outputs shipped beside them (tests/modern/README).
set -euo pipefail
. "${top_srcdir:-.}/tests/lib.sh"

MODERN=$SRCDIR/tests/modern
VERSIONS=(3.1 3.2 3.3 3.4 4.0)
export LC_ALL=C

# -- helpers ---------------------------------------------------------------------

# ok_if NAME COMMAND...: passes when COMMAND succeeds; what it printed is
# shown when it does not.
ok_if() {
    local name=$1
    shift
    if "$@" > "$WORK/why" 2>&1; then
        tap_ok "$name"
    else
        local lines
        mapfile -t lines < <(head -n 20 "$WORK/why")
        tap_fail "$name" "${lines[@]}"
    fi
}

# same_files EXPECTED ACTUAL: cmp, with the first lines of the diff.
same_files() {
    cmp -s "$1" "$2" || { diff -u "$1" "$2" | head -n 20; return 1; }
}

# truth.json: one member per line, one site (holder, ...) per line.
# field LINE KEY: the scalar value of KEY in one such line, without quotes.
field() {
    printf '%s\n' "$1" | sed -n 's/.*"'"$2"'":\("[^"]*"\|[^],}]*\).*/\1/p' | head -n 1 | sed 's/^"\(.*\)"$/\1/'
}
# list LINE KEY: an array member's values, space separated.
list() {
    printf '%s\n' "$1" | sed -n 's/.*"'"$2"'":\[\([^]]*\)\].*/\1/p' | head -n 1 | tr ',' ' '
}
# observed DIR KEY: a member of the truth file's "observed" block.
observed() {
    sed -n '/^  "observed": {/,/^  }/s/^    "'"$2"'": \(.*\)$/\1/p' "$1/truth.json" | sed 's/,$//; s/^\[//; s/\]$//; s/,/ /g; s/"//g'
}
sites() { grep '^    {"site":' "$1/truth.json"; }
holders() { grep '^    {"holder":' "$1/truth.json"; }

# count_at REPORT TYPE FILE:LINE: the count of that group, 0 when absent.
count_at() {
    awk -v t="$2" -v loc="$3" '
        /^(Retained|New|Live) / {
            rest = substr($0, index($0, " at: ") + 5)
            if ((j = index(rest, "  trend: ")) > 0) rest = substr(rest, 1, j - 1)
            if ($3 == t && rest == loc) { print $2; found = 1 }
        }
        END { if (!found) print 0 }' "$1"
}
# trend_at REPORT TYPE FILE:LINE: the trend counts of that group.
trend_at() {
    awk -v t="$2" -v loc="$3" '
        /^Retained / && index($0, "  trend: ") {
            j = index($0, "  trend: ")
            rest = substr($0, index($0, " at: ") + 5)
            rest = substr(rest, 1, index(rest, "  trend: ") - 1)
            if ($3 == t && rest == loc) print substr($0, j + 9)
        }' "$1"
}

# without_shapes REPORT: the report less its SHAPE group, with the Total Size
# line recomputed (the Ruby oracles count SHAPE records as objects).
without_shapes() {
    awk '
        /^Retained [0-9]+ SHAPE objects of size / { split($7, s, "/"); b += s[1]; m += s[2]; next }
        /^Total Size: / { split($3, s, "/"); print "Total Size: " (s[1] - b) "/" (s[2] - m); next }
        { print }' "$1"
}
same_without_shapes() {
    without_shapes "$1" > "$WORK/expected.noshape"
    without_shapes "$2" > "$WORK/actual.noshape"
    same_files "$WORK/expected.noshape" "$WORK/actual.noshape"
}
has_shape_group() { grep -q '^Retained [0-9]* SHAPE objects ' "$1"; }

# sum_sizes DUMP: BYTESIZE/MEMSIZE summed over its objects (SHAPE records aside).
sum_sizes() {
    zcat "$1" | awk '
        /^\{"address":/ && !/"type":"SHAPE"/ {
            if (match($0, /"bytesize":[0-9]+/)) b += substr($0, RSTART + 11, RLENGTH - 11)
            if (match($0, /"memsize":[0-9]+/)) m += substr($0, RSTART + 10, RLENGTH - 10)
        }
        END { print b "/" m }'
}
total_of() { sed -n 's/^Total Size: //p' "$1"; }

# in_dir DIR COMMAND...: runs COMMAND there (headers name the dumps by path).
in_dir() { (cd "$1" && shift && "$@"); }

# -- the plan ------------------------------------------------------------------------

PER_VERSION=23
plan=0
for v in "${VERSIONS[@]}"; do
    n=$(sites "$MODERN/ruby-$v" | wc -l)
    plan=$((plan + PER_VERSION + n))
    [ "$v" = 3.1 ] || plan=$((plan + 1))
    [ "$v" = 4.0 ] && plan=$((plan + 1))
done
plan=$((plan + 6 + 4 + 4 + 7))
tap_plan "$plan"

# -- each version's five dumps ------------------------------------------------------------

check_version() {
    local v=$1 dir=$MODERN/ruby-$v
    local D3=(d1.json.gz d2.json.gz d3.json.gz) D5=(d1.json.gz d2.json.gz d3.json.gz d4.json.gz d5.json.gz)
    local out=$WORK/$v
    mkdir -p "$out"
    in_dir "$dir" "$HEAPSIFT" -q --no-header "${D3[@]}" > "$out/report3"
    in_dir "$dir" "$HEAPSIFT" -q --no-header "${D5[@]}" > "$out/report5"
    in_dir "$dir" "$HEAPSIFT" -q "${D5[@]}" > "$out/header5"
    in_dir "$dir" "$HEAPSIFT" -q --identity=address "${D3[@]}" > "$out/classic"
    in_dir "$dir" "$HEAPSIFT" -q --no-header --trend "${D3[@]}" > "$out/trend3"
    in_dir "$dir" "$HEAPSIFT" -q --no-header --trend "${D5[@]}" > "$out/trend5"
    in_dir "$dir" "$HEAPSIFT" -q --suspects "${D3[@]}" > "$out/suspects3"
    in_dir "$dir" "$HEAPSIFT" -q --suspects "${D5[@]}" > "$out/suspects5"
    # Each dump unpacked once (zcat into grep -q would die of SIGPIPE under
    # pipefail).
    local k
    for k in 1 2 3 4 5; do zcat "$dir/d$k.json.gz" > "$out/d$k.json"; done
    local D2=$out/d2.json
    local wasm=yes
    [ "$v" = 3.1 ] && wasm=
    local site_of
    site_of() { # NAME TYPE: the truth line of a site
        sites "$dir" | grep -F "{\"site\":\"$1\"" | grep -F "\"type\":\"$2\"" | head -n 1
    }

    # Every object read: the header's counts are the dumps' (SHAPE records
    # are not objects), nothing repaired or skipped.
    header_counts() {
        local objects gens k=1 want got
        read -r -a objects <<< "$(observed "$dir" objects)"
        read -r -a gens <<< "$(observed "$dir" max_generation)"
        for k in 1 2 3 4 5; do
            want="# dump $k: d$k.json.gz (${objects[k - 1]} objects, GC ${gens[k - 1]})"
            got=$(grep "^# dump $k: " "$out/header5")
            [ "$got" = "$want" ] || { echo "header: $got"; echo "wanted: $want"; return 1; }
        done
    }
    ok_if "ruby-$v: the header counts every object of the five dumps, none repaired or skipped" header_counts

    ok_if "ruby-$v: the report equals identity-diff.rb's, SHAPE records aside (the oracle counts them)" \
        same_without_shapes "$dir/expected-identity.txt" "$out/report3"
    # On 3.2+ with SHAPE records new in dump 2 too: heapsift counts them in
    # this mode only, as the classic script does.
    ok_if "ruby-$v: --identity=address equals classic-diff.rb byte for byte" \
        same_files "$dir/expected-classic.txt" "$out/classic"
    ok_if "ruby-$v: --identity=address equals classic-diff.rb, SHAPE records aside" \
        same_without_shapes "$dir/expected-classic.txt" "$out/classic"
    ok_if "ruby-$v: five dumps: the report equals identity-diff.rb's rule over five dumps, SHAPE records aside" \
        same_without_shapes "$dir/expected-identity-5.txt" "$out/report5"

    # Each planted site: its count over dumps 1-3 and over dumps 1-5.
    local line name type file lno r3 r5 g3 g5
    while IFS= read -r line; do
        name=$(field "$line" site)
        type=$(field "$line" type)
        file=$(field "$line" file)
        lno=$(field "$line" line)
        r3=$(field "$line" retained_3)
        r5=$(field "$line" retained_all)
        g3=$(count_at "$out/report3" "$type" "$file:$lno")
        g5=$(count_at "$out/report5" "$type" "$file:$lno")
        if [ "$g3" = "$r3" ] && [ "$g5" = "$r5" ]; then
            tap_ok "ruby-$v: $name: $r3 $type retained at $file:$lno over dumps 1-3, $r5 over dumps 1-5"
        else
            tap_fail "ruby-$v: $name: $r3 $type retained at $file:$lno over dumps 1-3, $r5 over dumps 1-5" \
                "the report says $g3 over dumps 1-3, $g5 over dumps 1-5"
        fi
    done < <(sites "$dir")

    # Slot reuse: matching on the address alone misses the fresh strings that
    # sit where dump 1 had an object, and counts the transient strings whose
    # address dump 3 gives to another object.
    address_only() {
        local fresh tran want_fresh want_tran got_fresh got_tran
        fresh=$(site_of reuse_fresh STRING)
        tran=$(site_of reuse_transient STRING)
        want_fresh=$(($(field "$fresh" retained_3) - $(observed "$dir" fresh_at_an_address_of_dump_1)))
        want_tran=$(observed "$dir" transient_at_an_address_of_dump_3)
        got_fresh=$(count_at "$out/classic" STRING "$(field "$fresh" file):$(field "$fresh" line)")
        got_tran=$(count_at "$out/classic" STRING "$(field "$tran" file):$(field "$tran" line)")
        [ "$got_fresh/$got_tran" = "$want_fresh/$want_tran" ] ||
            { echo "fresh $got_fresh, transient $got_tran; wanted $want_fresh, $want_tran"; return 1; }
    }
    ok_if "ruby-$v: --identity=address misses the $(observed "$dir" fresh_at_an_address_of_dump_1) fresh strings in reused slots and counts $(observed "$dir" transient_at_an_address_of_dump_3) transient ones" \
        address_only

    # The steady leak over five dumps, the spike over three.
    expect_trend() { # REPORT SITE TYPE DUMPS
        local s want got
        s=$(site_of "$2" "$3")
        read -r -a live <<< "$(list "$s" live)"
        want=
        for ((k = 0; k < $4; k++)); do want="$want $((live[k] + $(field "$s" other_at_site)))"; done
        want=${want# }
        got=$(trend_at "$1" "$3" "$(field "$s" file):$(field "$s" line)")
        [ "$got" = "$want" ] || { echo "trend: '$got', wanted '$want'"; return 1; }
    }
    ok_if "ruby-$v: --trend over five dumps: the steady leak gains $(field "$(site_of memo STRING)" retained_3) strings each time" \
        expect_trend "$out/trend5" memo STRING 5
    ok_if "ruby-$v: --trend over three dumps: the spike is 0, then $(field "$(site_of spike STRING)" retained_3) twice" \
        expect_trend "$out/trend3" spike STRING 3

    holder_line() { # HOLDER-NAME: the truth line of a holder
        holders "$dir" | grep -F "{\"holder\":\"$1\"" | head -n 1
    }
    suspect_of() { # REPORT ADDRESS: the Suspect line and its growth line
        grep -A1 "^Suspect [0-9]*: .* ($2) holds " "$1" || true
    }
    steady_growth() {
        local h a n got rooted
        h=$(holder_line 'Memo @@memo')
        a=$(field "$h" address)
        n=$(field "$(site_of memo STRING)" retained_3)
        # Less those a root references too (the stack, scanned conservatively).
        read -r -a rooted <<< "$(observed "$dir" memo_windows_held_by_a_root_too)"
        got=$(suspect_of "$out/suspects5" "$a")
        local want="  growth: grows in every window (still held, of each window's allocations:"
        want="$want $((n - rooted[0])) of dumps 1-2, $((n - rooted[1])) of dumps 2-3,"
        want="$want $((n - rooted[2])) of dumps 3-4, $((n - rooted[3])) of dumps 4-5)"
        printf '%s\n' "$got" | grep -qxF -- "$want" || { echo "$got"; echo "wanted: $want"; return 1; }
    }
    ok_if "ruby-$v: --suspects over five dumps: Memo @@memo grows in every window" steady_growth
    spike_growth() {
        local h a n got
        h=$(holder_line Spike::BATCH)
        a=$(field "$h" address)
        n=$(field "$h" holds_3_oracle)
        got=$(suspect_of "$out/suspects3" "$a")
        local want="  growth: grew once (still held, of each window's allocations: $n of dumps 1-2, 0 of dumps 2-3)"
        printf '%s\n' "$got" | grep -qxF -- "$want" || { echo "$got"; echo "wanted: $want"; return 1; }
    }
    ok_if "ruby-$v: --suspects over three dumps: Spike::BATCH grew once" spike_growth
    spike_gone() {
        local a
        a=$(field "$(holder_line Spike::BATCH)" address)
        ! grep "^Suspect [0-9]*: .* ($a) holds " "$out/suspects5"
    }
    ok_if "ruby-$v: --suspects over five dumps: the spike, released, holds nothing" spike_gone
    holders_hold() {
        local h a n got bad=0
        while IFS= read -r h; do
            a=$(field "$h" address)
            n=$(field "$h" holds_3_oracle)
            got=$(grep "^Suspect [0-9]*: .* ($a) holds " "$out/suspects3" | sed 's/.* holds \([0-9]*\) .*/\1/')
            [ "${got:-0}" = "$n" ] || { echo "$(field "$h" holder) ($a): holds ${got:-nothing}, the oracle $n"; bad=1; }
        done < <(holders "$dir")
        return $bad
    }
    ok_if "ruby-$v: --suspects: each planted holder holds what suspects-oracle.rb says" holders_hold
    if [ "$v" != 3.1 ]; then
        ivar_names() {
            local a
            a=$(field "$(holder_line 'Accounts::DIRECTORY @active')" address)
            sed -n "/^Suspect [0-9]*: .* ($a) holds /,/^\$/p" "$out/suspects3" | grep -F '@active'
        }
        ok_if "ruby-$v: --suspects names the instance variable that holds the leaked accounts (@active, from SHAPE records)" \
            ivar_names
    fi

    # -- what each version writes (tests/modern/README) --
    flags_values() {
        local ints
        ints=$(cat "$D2" | grep -c '"flags":{[^}]*":[0-9]' || true)
        if [ "$v" = 4.0 ]; then
            [ "$ints" -gt 0 ] || { echo "no flags with integer values in 4.0's dump 2"; return 1; }
        else
            [ "$ints" = 0 ] || { echo "$ints lines with integer flags"; return 1; }
        fi
        ! grep -E 'repaired|skipped' "$out/header5"
    }
    ok_if "ruby-$v: flags values (integers on 4.0 only) are read, no line repaired" flags_values

    account_method() {
        local s file lno want n label got
        s=$(site_of account_leaked OBJECT)
        file=$(field "$s" file)
        lno=$(field "$s" line)
        want=new
        [ "$v" = 4.0 ] && want=signup
        n=$(cat "$D2" | grep -F "\"file\":\"$file\", \"line\":$lno, \"method\":\"$want\"," | grep -c '"type":"OBJECT"' || true)
        [ "$n" = "$(field "$s" retained_3)" ] || { echo "$n Account.new lines with method $want"; return 1; }
        label="for method: $want in $file"
        in_dir "$dir" "$HEAPSIFT" -q --no-header --group-by=method "${D3[@]}" > "$out/method"
        got=$(grep -F "$label" "$out/method" | awk '{ print $2 }')
        [ "$got" = "$n" ] || { echo "--group-by=method: '$label' has ${got:-nothing}, wanted $n"; return 1; }
    }
    ok_if "ruby-$v: the method of Account.new ($( [ "$v" = 4.0 ] && echo 'the caller' || echo new)) groups the leaked accounts" account_method

    imemo_shapes() {
        local imemo with fields want got
        imemo=$(cat "$D2" | grep -c '"type":"IMEMO"' || true)
        with=$(cat "$D2" | grep '"type":"IMEMO"' | grep -c '"shape_id":' || true)
        fields=$(cat "$D2" | grep -c '"imemo_type":"fields"' || true)
        case $v in
            3.1) [ "$with" = 0 ] || { echo "$with IMEMO with shape_id"; return 1; } ;;
            4.0) [ "$with" = "$fields" ] && [ "$fields" -gt 0 ] || { echo "$with IMEMO with shape_id, $fields fields"; return 1; } ;;
            *) [ "$with" = "$imemo" ] || { echo "$with of $imemo IMEMO with shape_id"; return 1; } ;;
        esac
        want=$(($(field "$(site_of id_email IMEMO)" retained_3) + $(field "$(site_of id_old_name IMEMO)" retained_3)))
        in_dir "$dir" "$HEAPSIFT" -q --no-header --group-by=struct "${D3[@]}" > "$out/struct"
        got=$(grep -F 'for struct: imemo_fields' "$out/struct" | awk '{ print $2 }')
        [ "${got:-0}" = "$want" ] || { echo "--group-by=struct: imemo_fields ${got:-0}, wanted $want"; return 1; }
    }
    ok_if "ruby-$v: shape_id on IMEMO (every one up to 3.4, only fields on 4.0); object_id's fields objects grouped" imemo_shapes

    if [ "$v" = 4.0 ]; then
        fields_class() {
            local owner bad=0
            in_dir "$dir" "$HEAPSIFT" -q --no-header --group-by=class "${D3[@]}" > "$out/class"
            while IFS= read -r owner; do
                if grep -qF "(unnamed class $owner)" "$out/class"; then echo "the owner $owner is a class"; bad=1; fi
            done < <(cat "$out/d3.json" | grep '"imemo_type":"fields"' | sed -n 's/.*"class":"\(0x[0-9a-f]*\)".*/\1/p')
            return $bad
        }
        ok_if "ruby-$v: --group-by=class does not take an IMEMO fields object's owner for its class" fields_class
    fi

    shape_records() {
        local types
        types=$(cat "$D2" | sed -n 's/.*"type":"SHAPE".*"shape_type":"\([A-Z_]*\)".*/\1/p' | sort -u | tr '\n' ' ')
        case $v in
            3.1) [ -z "$types" ] || { echo "SHAPE records: $types"; return 1; } ;;
            3.2) [ "$types" = "CAPACITY_CHANGE FROZEN IVAR OBJ_TOO_COMPLEX ROOT T_OBJECT " ] || { echo "$types"; return 1; } ;;
            3.3 | 3.4) [ "$types" = "FROZEN IVAR OBJ_TOO_COMPLEX ROOT T_OBJECT " ] || { echo "$types"; return 1; } ;;
            4.0) [ "$types" = "IVAR OBJ_ID ROOT " ] || { echo "$types"; return 1; } ;;
        esac
        # Every writer puts no space between shape_type and edge_name.
        if [ "$v" != 3.1 ]; then
            grep -q '"shape_type":"IVAR","edge_name":"@' "$D2" || { echo 'no "IVAR","edge_name"'; return 1; }
        fi
        # And heapsift counts no SHAPE record as an object.
        local lines shapes objects
        lines=$(cat "$D2" | grep -c '^{"address":')
        shapes=$(cat "$D2" | grep -c '"type":"SHAPE"' || true)
        objects=$(sed -n 's/^# dump 2: d2.json.gz (\([0-9]*\) objects.*/\1/p' "$out/header5")
        [ "$objects" = $((lines - shapes)) ] || { echo "$objects objects, $lines lines with an address, $shapes SHAPE"; return 1; }
    }
    ok_if "ruby-$v: SHAPE records: the shape types of the version, not counted as objects" shape_records

    roots() {
        local cats want a first
        cats=$(cat "$D2" | sed -n 's/^{"type":"ROOT", "root":"\([a-z_]*\)".*/\1/p' | sort | tr '\n' ' ')
        case $v in
            3.1 | 3.2 | 3.3) want="global_list global_tbl machine_context vm " ;;
            3.4) want="global_tbl machine_context vm " ;;
            4.0) want="global_symbols global_tbl machine_context vm " ;;
        esac
        [ "$cats" = "$want" ] || { echo "root categories: $cats"; return 1; }
        a=$(field "$(holder_line 'Memo @@memo')" address)
        in_dir "$dir" "$HEAPSIFT" -q --path="$a" "${D3[@]}" > "$out/path"
        grep -qx 'root vm' "$out/path" || { cat "$out/path"; return 1; }
        # The first hop from the vm root: a DATA VM/pin_array_list from 3.4 on.
        first=$(sed -n '/^root vm$/{n;p;}' "$out/path" | awk '{ print $2, $3 }')
        case $v in
            3.4 | 4.0)
                [ "${first%% *}" = DATA ] || { echo "first hop: $first"; return 1; }
                grep -q '"struct":"VM/pin_array_list"' "$D2" || { echo 'no VM/pin_array_list'; return 1; } ;;
            *) [ "$first" = "CLASS Object" ] || { echo "first hop: $first"; return 1; } ;;
        esac
    }
    ok_if "ruby-$v: ROOT categories of the version; --path to Memo @@memo from the vm root" roots

    chilled() {
        local s n want=0
        s=$(site_of chilled STRING)
        n=$(cat "$D2" | grep -F "\"file\":\"$(field "$s" file)\", \"line\":$(field "$s" line)," | grep -c '"chilled":true' || true)
        case $v in 3.4 | 4.0) want=$(field "$s" retained_3) ;; esac
        [ "$n" = "$want" ] || { echo "$n chilled strings at the site, wanted $want"; return 1; }
    }
    ok_if "ruby-$v: string literals are chilled from 3.4 on" chilled

    set_object() {
        local s
        s=$(site_of set "$( [ "$v" = 4.0 ] && echo DATA || echo OBJECT)")
        [ -n "$s" ] || { echo "no Set site"; return 1; }
        if [ "$v" = 4.0 ]; then
            grep -qx 'Retained 1 objects of size 0/[0-9]* for struct: set' "$out/struct" || { grep set "$out/struct"; return 1; }
        else
            [ -n "$(site_of set HASH)" ] || { echo "no Hash inside the Set"; return 1; }
        fi
    }
    ok_if "ruby-$v: a Set is $( [ "$v" = 4.0 ] && echo 'a DATA set' || echo 'an OBJECT holding a HASH')" set_object

    symbols() {
        local s file lno refs fstring
        s=$(site_of symbol SYMBOL)
        file=$(field "$s" file)
        lno=$(field "$s" line)
        refs=$(cat "$out/d3.json" | grep '"type":"SYMBOL"' | grep -F "\"file\":\"$file\", \"line\":$lno," | grep -c '"references":' || true)
        if [ "$v" != 4.0 ]; then
            [ "$refs" = 0 ] || { echo "$refs SYMBOL with references"; return 1; }
            return 0
        fi
        [ "$refs" = "$(field "$s" retained_3)" ] || { echo "$refs SYMBOL with references"; return 1; }
        fstring=$(cat "$out/d3.json" | grep '"type":"SYMBOL"' | grep -m 1 -F "\"file\":\"$file\", \"line\":$lno," |
            sed -n 's/.*"references":\["\(0x[0-9a-f]*\)".*/\1/p')
        in_dir "$dir" "$HEAPSIFT" -q --path="$fstring" "${D3[@]}" > "$out/symbol-path"
        tail -n 2 "$out/symbol-path" | head -n 1 | grep -q ' SYMBOL Symbol ' || { cat "$out/symbol-path"; return 1; }
    }
    ok_if "ruby-$v: a dynamic symbol $( [ "$v" = 4.0 ] && echo 'references its fstring, on its root path' || echo 'has no references')" symbols

    generation_zero() {
        local zeros got
        zeros=$(cat "$out/d1.json" | grep -v '"type":"SHAPE"' | grep -c '"generation":0,' || true)
        [ "$zeros" = "$(observed "$dir" generation_0 | awk '{ print $1 }')" ] || { echo "$zeros generation 0"; return 1; }
        in_dir "$dir" "$HEAPSIFT" -q --no-header --group-by=generation d1.json.gz > "$out/generation"
        got=$(grep -F 'for generation: 0' "$out/generation" | awk '{ print $2 }')
        [ "${got:-0}" = "$zeros" ] || { echo "generation 0: ${got:-0}, the dump has $zeros"; return 1; }
    }
    ok_if "ruby-$v: generation 0 ($(observed "$dir" generation_0 | awk '{ print $1 }') objects of dump 1) is a generation" generation_zero

    slot_sizes() {
        local sizes want got
        sizes=$(cat "$D2" | grep -o '"slot_size":[0-9]*' | sort -u -t: -k2 -n | cut -d: -f2 | tr '\n' ' ')
        case $v in
            3.1) want= ;;
            3.2) want="20 " ;;
            3.3 | 3.4) want="20 40 80 160 " ;;
            4.0) want="24 48 96 192 " ;;
        esac
        [ "$sizes" = "$want" ] || { echo "slot sizes: $sizes"; return 1; }
        in_dir "$dir" "$HEAPSIFT" -q d2.json.gz > "$out/live2"
        want=$(sum_sizes "$dir/d2.json.gz")
        got=$(total_of "$out/live2")
        [ "$got" = "$want" ] || { echo "Total Size $got, the dump sums to $want"; return 1; }
    }
    ok_if "ruby-$v: slot sizes of the version; the sizes summed over dump 2 are the dump's" slot_sizes

    platform() {
        local top floats
        top=$(observed "$dir" highest_address)
        floats=$(field "$(site_of account_score FLOAT)" retained_3)
        if [ -n "$wasm" ]; then
            [ ${#top} -le 10 ] || { echo "highest address $top"; return 1; }
            [ "$floats" -gt 0 ] || { echo "no Float on the heap"; return 1; }
        else
            [ ${#top} -gt 10 ] || { echo "highest address $top"; return 1; }
            [ "$floats" = 0 ] || { echo "$floats Floats on the heap"; return 1; }
        fi
    }
    ok_if "ruby-$v: $( [ -n "$wasm" ] && echo '32-bit addresses and Floats on the heap (WebAssembly)' || echo '64-bit addresses, Floats immediate')" platform
}

for v in "${VERSIONS[@]}"; do
    check_version "$v"
done

# -- compaction, native Ruby 3.1 ---------------------------------------------------------------

dir=$MODERN/compact-3.1
D3=(d1.json.gz d2.json.gz d3.json.gz)
in_dir "$dir" "$HEAPSIFT" -q --no-header "${D3[@]}" > "$WORK/c31"
in_dir "$dir" "$HEAPSIFT" -q --identity=address "${D3[@]}" > "$WORK/c31-classic"
in_dir "$dir" "$HEAPSIFT" "${D3[@]}" > "$WORK/c31-header" 2> "$WORK/c31-err"
ok_if "compact-3.1: the report equals identity-diff.rb's" same_files "$dir/expected-identity.txt" "$WORK/c31"
ok_if "compact-3.1: --identity=address equals classic-diff.rb" same_files "$dir/expected-classic.txt" "$WORK/c31-classic"
compact_moves() {
    local s file lno n2 n3 moved other
    s=$(sites "$dir" | grep -F '"site":"compact_leaked"')
    file=$(field "$s" file)
    lno=$(field "$s" line)
    other=$(field "$s" other_at_site)
    moved=$(observed "$dir" leaked_moved_between_2_and_3)
    n2=$(zcat "$dir/d2.json.gz" | grep -F "\"file\":\"$file\", \"line\":$lno," | grep -c '"type":"OBJECT"' || true)
    n3=$(zcat "$dir/d3.json.gz" | grep -F "\"file\":\"$file\", \"line\":$lno," | grep -c '"type":"OBJECT"' || true)
    [ "$n2" = $(($(field "$s" retained_3) + other)) ] && [ "$n3" = $((n2 - moved)) ] ||
        { echo "at the leak site: $n2 lines in dump 2, $n3 in dump 3, $moved moved"; return 1; }
}
ok_if "compact-3.1: the $(observed "$dir" leaked_moved_between_2_and_3) leaked objects moved by GC.compact lose their site in dump 3" compact_moves
# Ruby 3.1 drops a moved object's file, line and generation and writes no
# object_id: nothing in the dumps says the moved leaks are the ones of dump
# 2. heapsift keeps the leaks that did not move at their site, and says how
# many objects moved between dumps 2 and 3 (compact_said below).
compact_found() {
    local s got want
    s=$(sites "$dir" | grep -F '"site":"compact_leaked"')
    got=$(count_at "$WORK/c31" OBJECT "$(field "$s" file):$(field "$s" line)")
    want=$(($(field "$s" retained_3) - $(observed "$dir" leaked_moved_between_2_and_3)))
    [ "$got" = "$want" ] || { echo "the report says $got, not $want"; return 1; }
}
ok_if "compact-3.1: the leaked objects that did not move stay retained at their site" compact_found
# In the header or a warning (the report's sites name compact.rb).
compact_said() { grep -i '^# .*\(compact\|moved\)' "$WORK/c31-header" || grep -i 'compact\|moved' "$WORK/c31-err"; }
ok_if "compact-3.1: heapsift says the dumps show objects moved by compaction" compact_said
compact_said_2_3() {
    local n
    n=$(sed -n 's/.*(dump 3):.* \([0-9][0-9]*\) objects without allocation data at addresses new since dump 2.*/\1/p' "$WORK/c31-err")
    [ -n "$n" ] && [ "$n" -ge "$(observed "$dir" leaked_moved_between_2_and_3)" ] || { echo "dump 3's warning: '$n'"; return 1; }
}
ok_if "compact-3.1: the warning counts the leaked objects moved between dumps 2 and 3 among those it names" compact_said_2_3

# -- compaction, simulated on the 4.0 dumps -------------------------------------------------------

dir=$MODERN/compact-4.0-synthetic
in_dir "$dir" "$HEAPSIFT" -q --no-header "${D3[@]}" > "$WORK/c40"
in_dir "$dir" "$HEAPSIFT" -q --identity=address "${D3[@]}" > "$WORK/c40-classic"
ok_if "compact-4.0-synthetic: --identity=address equals classic-diff.rb, SHAPE records aside" \
    same_without_shapes "$dir/expected-classic.txt" "$WORK/c40-classic"
synthetic_moves() {
    local from to n
    zcat "$dir/d3.json.gz" > "$WORK/c40-d3.json"
    while IFS= read -r line; do
        from=$(field "$line" from)
        to=$(field "$line" to)
        n=$(grep -cF "\"$from\"" "$WORK/c40-d3.json" || true)
        [ "$n" = 0 ] || { echo "dump 3 still names $from"; return 1; }
        grep -qF "{\"address\":\"$to\"," "$WORK/c40-d3.json" || { echo "dump 3 has nothing at $to"; return 1; }
    done < <(grep '^    {"between":' "$dir/truth.json")
}
ok_if "compact-4.0-synthetic: every moved object is at its new address in dump 3, and nothing names its old one" synthetic_moves
ok_if "compact-4.0-synthetic: the report equals identity-diff.rb's on the dumps before the moves (matching on object_id)" \
    same_without_shapes "$dir/expected-object-id.txt" "$WORK/c40"
synthetic_sites() {
    local line want got bad=0
    while IFS= read -r line; do
        want=$(field "$line" retained_matching_object_id)
        got=$(count_at "$WORK/c40" "$(field "$line" type)" "$(field "$line" file):$(field "$line" line)")
        [ "$got" = "$want" ] || { echo "$(field "$line" site): $got, matching on object_id $want"; bad=1; }
    done < <(sites "$dir")
    return $bad
}
ok_if "compact-4.0-synthetic: the moved sites count what matching on object_id finds" synthetic_sites

# -- a file name that is not UTF-8 -------------------------------------------------------------------

dir=$MODERN/invalid-utf8
in_dir "$dir" "$HEAPSIFT" dump.json.gz > "$WORK/utf8" 2> "$WORK/utf8-err"
utf8_fixture() {
    local n
    n=$(zcat "$dir/dump.json.gz" | grep -c "$(printf '\377')" || true)
    [ "$n" = 1 ] || { echo "$n lines hold the byte 0xFF"; return 1; }
    [ "$(zcat "$dir/dump.json.gz" | grep -n "$(printf '\377')" | cut -d: -f1)" = "$(observed "$dir" invalid_line)" ]
}
ok_if "invalid-utf8: exactly one line (line $(observed "$dir" invalid_line)) holds a byte that is not UTF-8" utf8_fixture
utf8_all_read() {
    grep -qF "# dump 1: dump.json.gz ($(observed "$dir" objects) objects, " "$WORK/utf8" &&
        grep -qF '1 lines repaired, 0 skipped)' "$WORK/utf8"
}
ok_if "invalid-utf8: every object read ($(observed "$dir" objects)), the one line repaired, none skipped" utf8_all_read
ok_if "invalid-utf8: the object allocated in the file named with 0xFF is reported" \
    grep -qxF "Live 1 ARRAY objects of size 0/40 at: /app/$(printf '\377').rb:1" "$WORK/utf8"
utf8_sizes() {
    local want got
    want=$(sum_sizes "$dir/dump.json.gz")
    got=$(total_of "$WORK/utf8")
    [ "$got" = "$want" ] || { echo "Total Size $got, the dump sums to $want"; return 1; }
}
ok_if "invalid-utf8: the sizes summed are the whole dump's" utf8_sizes
# -- names on the root paths ---------------------------------------------------------------------
# --why at the leaked accounts' site: the hop into Accounts::DIRECTORY's
# array is named by the ivar that holds it (3.2+, from SHAPE records); on
# 3.4 and 4.0 the first hop, a DATA without a class, by its struct.
for v in 3.1 3.2 3.3 3.4 4.0; do
    in_dir "$MODERN/ruby-$v" "$HEAPSIFT" -q --why=/app/accounts.rb:50 "${D3[@]}" > "$WORK/why-$v" 2>&1 || true
done
for v in 3.2 3.3 3.4 4.0; do
    ok_if "ruby-$v: --why names the hop held by Accounts::DIRECTORY's @active" \
        grep -E '^ +0x[0-9a-f]+ ARRAY Array /app/accounts.rb:[0-9]+ as @active  \(retained' "$WORK/why-$v"
done
no_ivar_on_31() { grep -q 'ARRAY Array /app/accounts.rb' "$WORK/why-3.1" && ! grep -q ' as @' "$WORK/why-3.1"; }
ok_if "ruby-3.1: no SHAPE records, no ivar names, the same path" no_ivar_on_31
for v in 3.4 4.0; do
    ok_if "ruby-$v: the path's first hop is named by its struct, VM/pin_array_list" \
        grep -E '^ +0x[0-9a-f]+ DATA VM/pin_array_list  \(retained' "$WORK/why-$v"
done
tap_done

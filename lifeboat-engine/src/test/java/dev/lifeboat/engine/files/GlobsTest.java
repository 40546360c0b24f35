package dev.lifeboat.engine.files;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GlobsTest {
    @ParameterizedTest(name = "{0} on {1} (dir: {4}) -> {5}")
    @CsvSource(delimiter = '|', textBlock = """
            # pattern       | absolute                  | relative         | name            | isDir | matches
            # without '/': the name, at any depth
            *.log           | /srv/app/logs/app.log     | logs/app.log     | app.log         | false | true
            *.log           | /srv/app/logs/app.log.1   | logs/app.log.1   | app.log.1       | false | false
            *.log           | /srv/app/logs             | logs             | logs            | true  | false
            .env            | /srv/app/deep/er/.env     | deep/er/.env     | .env            | false | true
            .env.*          | /srv/app/.env.production  | .env.production  | .env.production | false | true
            .env.*          | /srv/app/.env             | .env             | .env            | false | false
            *.{log,tmp}     | /srv/app/x.tmp            | x.tmp            | x.tmp           | false | true
            file?.txt       | /srv/app/file1.txt        | file1.txt        | file1.txt       | false | true
            file?.txt       | /srv/app/file10.txt       | file10.txt       | file10.txt      | false | false
            [ab].txt        | /srv/app/b.txt            | b.txt            | b.txt           | false | true
            # a trailing '/': directories only
            build/          | /srv/app/build            | build            | build           | true  | true
            build/          | /srv/app/build            | build            | build           | false | false
            build/          | /srv/app/web/build        | web/build        | build           | true  | true
            build           | /srv/app/build            | build            | build           | false | true
            node_modules/   | /srv/app/a/b/node_modules | a/b/node_modules | node_modules    | true  | true
            # with '/': the whole path, absolute or relative to the root
            /srv/app/logs   | /srv/app/logs             | logs             | logs            | true  | true
            /srv/app/logs   | /srv/other/logs           | logs             | logs            | true  | false
            logs/*.log      | /srv/app/logs/a.log       | logs/a.log       | a.log           | false | true
            logs/*.log      | /srv/app/x/logs/a.log     | x/logs/a.log     | a.log           | false | false
            logs/*.log      | /srv/app/logs/old/a.log   | logs/old/a.log   | a.log           | false | false
            logs/**         | /srv/app/logs/old/a.log   | logs/old/a.log   | a.log           | false | true
            **/cache/       | /srv/app/x/cache          | x/cache          | cache           | true  | true
            **/cache/       | /srv/app/x/cache          | x/cache          | cache           | false | false
            /srv/*/secrets/ | /srv/app/secrets          | secrets          | secrets         | true  | true
            /srv/*/secrets/ | /srv/app/deep/secrets     | deep/secrets     | secrets         | true  | false
            """)
    void patternMatchesTheWayRsyncAndResticUsersExpect(String pattern, String absolute, String relative, String name,
                                                       boolean isDir, boolean expected) {
        assertThat(new Globs(List.of(pattern), "--exclude").matches(absolute, relative, name, isDir))
                .isEqualTo(expected);
    }

    @Test
    void anyPatternOfTheListMatches() {
        Globs globs = new Globs(List.of("*.log", "tmp/", "/etc/app/secret"), "--exclude");

        assertThat(globs.matches("/srv/a.log", "a.log", "a.log", false)).isTrue();
        assertThat(globs.matches("/srv/tmp", "tmp", "tmp", true)).isTrue();
        assertThat(globs.matches("/etc/app/secret", "secret", "secret", false)).isTrue();
        assertThat(globs.matches("/srv/a.txt", "a.txt", "a.txt", false)).isFalse();
    }

    @Test
    void emptyListMatchesNothing() {
        Globs none = new Globs(List.of(), "--include");

        assertThat(none.isEmpty()).isTrue();
        assertThat(none.matches("/a", "a", "a", false)).isFalse();
        assertThat(new Globs(List.of("*"), "--include").isEmpty()).isFalse();
    }

    @Test
    void blankPatternIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> new Globs(Arrays.asList("*.log", " "), "--exclude"))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
                    assertThat(e.getMessage()).isEqualTo("empty pattern given to --exclude");
                    assertThat(e.hint()).isEqualTo("remove it or give a glob such as '*.log'");
                });
    }

    @Test
    void malformedPatternIsRefusedNamingItAndTheOption() {
        assertThatThrownBy(() -> new Globs(List.of("[abc"), "config.include"))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
                    assertThat(e.getMessage()).startsWith("invalid pattern '[abc' given to config.include: ")
                            .doesNotContain("\n");
                    assertThat(e.hint()).isEqualTo("see 'man 7 glob' for the syntax");
                });
    }
}

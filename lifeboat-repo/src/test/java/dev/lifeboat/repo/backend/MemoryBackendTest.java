package dev.lifeboat.repo.backend;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryBackendTest extends BackendContractTest {

    @Override
    protected Backend newBackend() {
        return new MemoryBackend();
    }

    @Override
    @ParameterizedTest(name = "{0}+{1}")
    @CsvSource({"120, 16", "129, 0", "-1, 4", "0, 129"})
    protected void getRangeOutsideTheObjectFailsWithIntegrity(long offset, int length) {
        super.getRangeOutsideTheObjectFailsWithIntegrity(offset, length);
    }

    @Test
    void corruptReplacesTheBytesOfAnObject() {
        MemoryBackend memory = (MemoryBackend) backend;
        memory.put(key("k"), new byte[] {1, 2, 3});

        memory.corrupt(key("k"), new byte[] {1, 2, 4});

        assertThat(memory.get(key("k"))).containsExactly(1, 2, 4);
    }
}

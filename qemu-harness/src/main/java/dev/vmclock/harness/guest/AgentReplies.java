package dev.vmclock.harness.guest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.vmclock.harness.page.VmclockPage;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's replies as it writes them (snake_case JSON, see guest-images' README), mapped by Jackson onto
 * records; each turns itself into the harness's public type. Fields a reply lacks map to null or zero.
 */
final class AgentReplies {

    static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private AgentReplies() {
    }

    static <T> T map(JsonNode reply, Class<T> type) {
        try {
            return JSON.treeToValue(reply, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new AgentException("agent reply does not match " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    static VmclockPage page(String hex) {
        return VmclockPage.decode(HexFormat.of().parseHex(hex));
    }

    private static long hex(String s) {
        return s == null ? 0 : s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
    }

    record PageBytes(String bytes, int retries, Boolean writableMappingRefused, String writableErrno) {
        GuestPageRead toRead() {
            return new GuestPageRead(page(bytes), retries, writableMappingRefused, writableErrno);
        }
    }

    record Poll(List<String> revents, boolean timedOut, long elapsedNs, Long seqCount, Long markerAfter) {
        PollResult toResult() {
            return new PollResult(revents == null ? List.of() : revents, timedOut, elapsedNs,
                    seqCount == null ? -1 : seqCount, markerAfter == null ? -1 : markerAfter);
        }
    }

    record Acpi(Boolean present, String path, String hid, String modalias, Integer status, String driver, Range iomem,
                List<Memmap> e820) {
        record Range(String start, String end, String name) {
        }

        record Memmap(String start, String end, String type) {
        }

        GuestAcpi toAcpi() {
            if (Boolean.FALSE.equals(present) || hid == null) {
                return new GuestAcpi(false, null, null, null, null, null, null, List.of());
            }
            GuestAcpi.Range io = iomem == null || iomem.start() == null ? null
                    : new GuestAcpi.Range(hex(iomem.start()), hex(iomem.end()), iomem.name());
            List<GuestAcpi.MemmapEntry> map = e820 == null ? List.of() : e820.stream()
                    .map(e -> new GuestAcpi.MemmapEntry(hex(e.start()), hex(e.end()), e.type())).toList();
            return new GuestAcpi(true, path, hid, modalias, status, driver, io, map);
        }
    }

    record Clocks(long monotonicNs, long realtimeNs, long boottimeNs, List<Tsc> tsc, String clocksource) {
        record Tsc(int cpu, long tsc, long monotonicNs) {
        }

        GuestClocks toClocks() {
            return new GuestClocks(monotonicNs, realtimeNs, boottimeNs, tsc == null ? List.of()
                    : tsc.stream().map(t -> new GuestClocks.CpuTsc(t.cpu(), t.tsc(), t.monotonicNs())).toList(),
                    clocksource == null ? "" : clocksource);
        }
    }

    record PtpList(List<PtpClock> clocks) {
    }

    record Method(boolean ok, String errno, long ptpNs, long sysPreNs, long sysRealtimeNs, long sysMonorawNs,
                  long tscPre, long tscPost, long realtimePreNs, long realtimePostNs, long monorawPreNs,
                  long monorawPostNs) {
        PtpReading.Method toMethod(String name) {
            return new PtpReading.Method(name, ok ? Optional.empty() : Optional.of(errno == null ? "?" : errno), ptpNs,
                    sysRealtimeNs != 0 ? sysRealtimeNs : sysPreNs, sysMonorawNs, tscPre, tscPost, realtimePreNs,
                    realtimePostNs, monorawPreNs, monorawPostNs);
        }
    }

    record PtpRead(boolean present, String dev, String name, String driver, Integer virtioType, Integer virtioVariant,
                   Method gettime, Method sysOffset, Method extended, Method precise) {
        PtpReading toReading() {
            if (!present) {
                return new PtpReading(false, null, null, null, null, null);
            }
            return new PtpReading(true, new PtpClock(dev, name, driver, virtioType, virtioVariant),
                    gettime.toMethod("gettime"), sysOffset.toMethod("sys_offset"), extended.toMethod("extended"),
                    precise.toMethod("precise"));
        }
    }

    record Series(boolean present, String dev, String name, String driver, Integer virtioType, Integer virtioVariant,
                  long reads, long backwards, long maxBackwardsNs, long minStepNs, long firstNs, long lastNs,
                  long elapsedNs, String errno) {
        Optional<PtpSeries> toSeries() {
            return present ? Optional.of(new PtpSeries(new PtpClock(dev, name, driver, virtioType, virtioVariant),
                    reads, backwards, maxBackwardsNs, minStepNs, firstNs, lastNs, elapsedNs, Optional.ofNullable(errno)))
                    : Optional.empty();
        }
    }

    record RtcSample(boolean ok, String time, Long epochS, String errno, long monotonicPreNs, long monotonicPostNs,
                     long realtimePreNs, long realtimePostNs) {
        RtcReading toReading() {
            return new RtcReading(Optional.ofNullable(ok ? time : null), Optional.ofNullable(ok ? epochS : null),
                    ok ? Optional.empty() : Optional.of(errno == null ? "?" : errno), monotonicPreNs, monotonicPostNs,
                    realtimePreNs, realtimePostNs);
        }
    }

    /** An RTC class device as {@code rtc}, {@code rtc_read} and {@code rtc_wkalm} describe it, with a reading where read. */
    record Rtc(String dev, String name, String driver, String parent, Boolean alarm, boolean ok, String time, Long epochS,
               String errno, long monotonicPreNs, long monotonicPostNs, long realtimePreNs, long realtimePostNs) {
        RtcDevice toDevice() {
            return new RtcDevice(dev, name, driver, parent, Optional.ofNullable(alarm),
                    new RtcSample(ok, time, epochS, errno, monotonicPreNs, monotonicPostNs, realtimePreNs, realtimePostNs)
                            .toReading());
        }
    }

    record RtcList(List<Rtc> rtcs) {
    }

    record Edge(boolean ok, String errno, int reads, long maxReadNs, RtcSample before, RtcSample after) {
        RtcEdge toEdge() {
            return new RtcEdge(ok ? Optional.empty() : Optional.of(errno == null ? "?" : errno), before.toReading(),
                    after.toReading(), reads, maxReadNs);
        }
    }

    record WakeAlarm(boolean ok, String errno, boolean enabled, boolean pending, String time, long epochS) {
        RtcWakeAlarm toAlarm() {
            return new RtcWakeAlarm(ok ? Optional.empty() : Optional.of(errno == null ? "?" : errno), enabled, pending, time,
                    epochS);
        }
    }

    record AlarmRun(Edge edgeBefore, long alarmEpochS, long setMonotonicPreNs, long setMonotonicPostNs,
                    WakeAlarm wkalmAfterSet, boolean fired, long waitMs, long waitMonotonicPreNs, long wakeMonotonicNs,
                    long wakeRealtimeNs, long data, String pollErrno, Edge edgeAfter, String aieOffErrno) {
        RtcAlarmRun toRun() {
            return new RtcAlarmRun(edgeBefore.toEdge(), alarmEpochS, setMonotonicPreNs, setMonotonicPostNs,
                    wkalmAfterSet.toAlarm(), fired, waitMs, waitMonotonicPreNs, wakeMonotonicNs, wakeRealtimeNs, data,
                    Optional.ofNullable(pollErrno), Optional.ofNullable(edgeAfter).map(Edge::toEdge),
                    Optional.ofNullable(aieOffErrno));
        }
    }

    record WakeAlarmReply(String dev, boolean set, WakeAlarm wkalm) {
    }

    record Rebind(String dev, String parent, String oldDev, long unbindNs, long bindNs, WakeAlarm wkalm) {
        RtcRebind toRebind() {
            return new RtcRebind(oldDev, dev, parent, wkalm.toAlarm(), unbindNs, bindNs);
        }
    }

    record Stress(long iterations, long retries, long torn, long elapsedNs) {
        StressResult toResult() {
            return new StressResult(iterations, retries, torn, elapsedNs);
        }
    }

    record AcpiEvents(boolean present, Map<String, Long> counts, Map<String, Long> irqs) {
        AcpiEventCounts toCounts() {
            Map<String, Long> all = new java.util.TreeMap<>();
            if (counts != null) {
                all.putAll(counts);
            }
            if (irqs != null) {
                irqs.forEach((k, v) -> all.put("irq " + k, v));
            }
            return new AcpiEventCounts(present, all);
        }
    }
}

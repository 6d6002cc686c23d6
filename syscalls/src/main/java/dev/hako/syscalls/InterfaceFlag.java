package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * Network interface flags ({@code IFF_*}) as SIOCGIFFLAGS and SIOCSIFFLAGS carry them.
 *
 * @see <a href="https://man7.org/linux/man-pages/man7/netdevice.7.html">netdevice(7)</a>
 */
public enum InterfaceFlag implements Flag {
    /** Interface is up (administratively) ({@code IFF_UP}). */
    UP(Linux.IFF_UP(), "IFF_UP"),
    /** Broadcast address valid ({@code IFF_BROADCAST}). */
    BROADCAST(Linux.IFF_BROADCAST(), "IFF_BROADCAST"),
    /** Debugging ({@code IFF_DEBUG}). */
    DEBUG(Linux.IFF_DEBUG(), "IFF_DEBUG"),
    /** A loopback interface ({@code IFF_LOOPBACK}). */
    LOOPBACK(Linux.IFF_LOOPBACK(), "IFF_LOOPBACK"),
    /** A point-to-point link ({@code IFF_POINTOPOINT}). */
    POINTOPOINT(Linux.IFF_POINTOPOINT(), "IFF_POINTOPOINT"),
    /** Avoid trailers ({@code IFF_NOTRAILERS}). */
    NOTRAILERS(Linux.IFF_NOTRAILERS(), "IFF_NOTRAILERS"),
    /** Resources allocated (operationally up) ({@code IFF_RUNNING}). */
    RUNNING(Linux.IFF_RUNNING(), "IFF_RUNNING"),
    /** No ARP protocol ({@code IFF_NOARP}). */
    NOARP(Linux.IFF_NOARP(), "IFF_NOARP"),
    /** Receive all packets ({@code IFF_PROMISC}). */
    PROMISC(Linux.IFF_PROMISC(), "IFF_PROMISC"),
    /** Receive all multicast packets ({@code IFF_ALLMULTI}). */
    ALLMULTI(Linux.IFF_ALLMULTI(), "IFF_ALLMULTI"),
    /** Master of a load balancer ({@code IFF_MASTER}). */
    MASTER(Linux.IFF_MASTER(), "IFF_MASTER"),
    /** Slave of a load balancer ({@code IFF_SLAVE}). */
    SLAVE(Linux.IFF_SLAVE(), "IFF_SLAVE"),
    /** Supports multicast ({@code IFF_MULTICAST}). */
    MULTICAST(Linux.IFF_MULTICAST(), "IFF_MULTICAST"),
    /** Can set media type ({@code IFF_PORTSEL}). */
    PORTSEL(Linux.IFF_PORTSEL(), "IFF_PORTSEL"),
    /** Auto media selection ({@code IFF_AUTOMEDIA}). */
    AUTOMEDIA(Linux.IFF_AUTOMEDIA(), "IFF_AUTOMEDIA"),
    /** Addresses are lost when the interface goes down ({@code IFF_DYNAMIC}). */
    DYNAMIC(Linux.IFF_DYNAMIC(), "IFF_DYNAMIC");

    private final long bits;
    private final String cName;

    InterfaceFlag(long bits, String cName) {
        this.bits = bits;
        this.cName = cName;
    }

    @Override
    public long bits() {
        return bits;
    }

    @Override
    public String cName() {
        return cName;
    }
}

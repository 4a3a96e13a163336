package com.parchchat.turn.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * {@link Allocation#prune} skips allocations with nothing due and still removes every expired
 * permission and channel binding, also after refreshes moved expiries past the remembered bound.
 */
class AllocationPruneTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
  private static final InetSocketAddress SERVER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 3478);

  private static Allocation allocation() {
    return new Allocation(new FiveTuple(CLIENT, SERVER, FiveTuple.Transport.UDP), "u", "u", null, new byte[12], 0, 0);
  }

  @Test
  void expiredPermissionsAndChannelsGoAtTheirOwnTime() throws Exception {
    Allocation a = allocation();
    InetSocketAddress peer = new InetSocketAddress(InetAddress.getByName("198.51.100.7"), 5000);
    a.installPermission(peer.getAddress(), 0);
    assertThat(a.bindChannel(0x4000, peer, 0)).isEqualTo(Allocation.BindResult.BOUND);

    a.prune(Allocation.PERMISSION_LIFETIME_MILLIS - 1);
    assertThat(a.permissionCount()).isEqualTo(1);
    assertThat(a.channelCount()).isEqualTo(1);

    a.prune(Allocation.PERMISSION_LIFETIME_MILLIS);
    assertThat(a.permissionCount()).isZero();
    assertThat(a.channelCount()).isEqualTo(1);

    a.prune(ChannelBinding.LIFETIME_MILLIS - 1);
    assertThat(a.channelCount()).isEqualTo(1);
    a.prune(ChannelBinding.LIFETIME_MILLIS);
    assertThat(a.channelCount()).isZero();
  }

  @Test
  void refreshedPermissionSurvivesTheOldExpiryAndGoesAtTheNewOne() throws Exception {
    Allocation a = allocation();
    InetAddress peer = InetAddress.getByName("198.51.100.8");
    a.installPermission(peer, 0);
    a.installPermission(peer, 200_000); // refresh: now valid until 500 s

    a.prune(Allocation.PERMISSION_LIFETIME_MILLIS + 1);
    assertThat(a.permissionCount()).isEqualTo(1);
    a.prune(200_000 + Allocation.PERMISSION_LIFETIME_MILLIS - 1);
    assertThat(a.permissionCount()).isEqualTo(1);
    a.prune(200_000 + Allocation.PERMISSION_LIFETIME_MILLIS);
    assertThat(a.permissionCount()).isZero();
  }

  @Test
  void aPermissionInstalledAfterAPruneIsStillPruned() throws Exception {
    Allocation a = allocation();
    a.prune(1_000); // nothing installed: the bound stays "never"
    a.installPermission(InetAddress.getByName("198.51.100.9"), 2_000);
    a.prune(2_000 + Allocation.PERMISSION_LIFETIME_MILLIS);
    assertThat(a.permissionCount()).isZero();
  }
}

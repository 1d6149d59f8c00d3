"""The shopper's side of ShopCare: plain server-rendered HTML that works without JavaScript,
so a tracking link opened from any mail client on any phone just shows the parcel."""
